import { describe, expect, it } from 'vitest';
import { createPolicy, simulateTrace } from '@pagevisor/policies';
import { referenceRows, referenceTrace } from './support/reference.js';

/** Every reference row (libCacheSim's counts) of these policies gives exactly the listed misses. */
const POLICIES = ['lru', 'fifo', 'clock', 'clock2', 'clock3', 'sieve', 'arc', 's3fifo', 'belady', 'mru', 'lirs'];

describe('exactness against libCacheSim', () => {
  for (const trace of ['cloudPhysicsIO', 'addr-gcc', 'lirs-2_pools', 'lirs-cpp', 'lirs-ps', 'lirs-sprite']) {
    const rows = referenceRows().filter((row) => row.trace === trace && POLICIES.includes(row.policy));
    it(`${trace}: all ${rows.length} rows of ${POLICIES.join(', ')}`, () => {
      const { ids, distinct } = referenceTrace(trace);
      const wrong: string[] = [];
      for (const row of rows) {
        const result = simulateTrace(ids, distinct, (ctx) => createPolicy(row.policy, ctx), row.size, row.policy === 'belady');
        if (result.requests !== row.requests || result.misses !== row.misses) wrong.push(`${row.policy} ${row.size}: ${result.misses} misses of ${result.requests}, expected ${row.misses} of ${row.requests}`);
      }
      expect(wrong).toEqual([]);
    }, 60_000);
  }
});
