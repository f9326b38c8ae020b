import { describe, expect, it } from 'vitest';
import type { PolicyContext, VictimPolicy } from '@pagevisor/core';
import { CacheusPolicy, createPolicy, FifoMergePolicy, HyperbolicPolicy, LeCaRPolicy, LhdPolicy, PEER_POLICIES, simulateTrace, WTinyLfuPolicy } from '@pagevisor/policies';
import { peerRows, referenceTrace } from './support/reference.js';

/** Every `exact` row of expected-peers.tsv (libCacheSim's counts) of the peer policies shipped gives exactly its misses. */
describe('peer policies: exact against libCacheSim', () => {
  const rows = peerRows().filter((row) => row.match === 'exact' && (PEER_POLICIES as readonly string[]).includes(row.policy));
  for (const policy of PEER_POLICIES.filter((name) => rows.some((row) => row.policy === name))) {
    it(`${policy}: all ${rows.filter((row) => row.policy === policy).length} rows (libCacheSim's ${rows.find((row) => row.policy === policy)?.libcachesim})`, () => {
      const wrong: string[] = [];
      const mine = rows.filter((row) => row.policy === policy);
      expect(mine.length).toBeGreaterThan(0);
      for (const row of mine) {
        const { ids, distinct } = referenceTrace(row.trace);
        const result = simulateTrace(ids, distinct, (ctx) => createPolicy(policy, ctx), row.size);
        if (result.requests !== row.requests || result.misses !== row.misses) wrong.push(`${row.trace} ${row.size}: ${result.misses} misses of ${result.requests}, expected ${row.misses} of ${row.requests}`);
      }
      expect(wrong).toEqual([]);
    }, 60_000);
  }
});

/**
 * The `statistical` rows (policies that hash or sample): the geometric mean of our misses over
 * libCacheSim's within 2% of 1, and no row off by more than 20%. Each runs in its libCacheSim mode.
 */
const STATISTICAL: Record<string, (context: PolicyContext) => VictimPolicy> = {
  wtinylfu: (context) => new WTinyLfuPolicy(context, { window: 0.01, libCacheSim: true }),
  'wtinylfu-w0.1': (context) => new WTinyLfuPolicy(context, { window: 0.1, libCacheSim: true }),
  hyperbolic: (context) => new HyperbolicPolicy(context),
  lecar: (context) => new LeCaRPolicy(context),
  'fifo-merge': (context) => new FifoMergePolicy(context),
  cacheus: (context) => new CacheusPolicy(context),
  lhd: (context) => new LhdPolicy(context),
};

describe('peer policies that hash or sample: libCacheSim\'s counts in distribution', () => {
  for (const [policy, make] of Object.entries(STATISTICAL)) {
    const rows = peerRows().filter((row) => row.match === 'statistical' && row.policy === policy);
    it(`${policy}: ${rows.length} rows (libCacheSim's ${rows[0]?.libcachesim}), geometric mean within 2%, each within 20%`, () => {
      expect(rows.length).toBeGreaterThan(0);
      let logSum = 0;
      const far: string[] = [];
      for (const row of rows) {
        const { ids, distinct } = referenceTrace(row.trace);
        const { misses, requests } = simulateTrace(ids, distinct, make, row.size);
        expect(requests).toBe(row.requests);
        const ratio = misses / row.misses;
        logSum += Math.log(ratio);
        if (Math.abs(ratio - 1) > 0.2) far.push(`${row.trace} ${row.size}: ${misses} misses, libCacheSim ${row.misses} (${ratio.toFixed(3)})`);
      }
      const geomean = Math.exp(logSum / rows.length);
      expect(far).toEqual([]);
      expect(Math.abs(geomean - 1), `geometric mean ${geomean.toFixed(4)}`).toBeLessThanOrEqual(0.02);
    }, 60_000);
  }
});
