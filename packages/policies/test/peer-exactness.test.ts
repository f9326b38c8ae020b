import { describe, expect, it } from 'vitest';
import { createPolicy, PEER_POLICIES, simulateTrace } from '@pagevisor/policies';
import { peerRows, referenceTrace } from './support/reference.js';

/** Every `exact` row of expected-peers.tsv (libCacheSim's counts) of the peer policies shipped gives exactly its misses. */
describe('peer policies: exact against libCacheSim', () => {
  const rows = peerRows().filter((row) => row.match === 'exact' && (PEER_POLICIES as readonly string[]).includes(row.policy));
  for (const policy of PEER_POLICIES) {
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
