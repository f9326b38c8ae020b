import { describe, expect, it } from 'vitest';
import { isPagevisorError, type PolicyContext, type VictimPolicy } from '@pagevisor/core';
import { simulateTrace } from '@pagevisor/policies';

/** The writing-a-policy guide's first sweep: it took every gfn for resident, even in an empty cache. */
function sweepAssumingResident(context: PolicyContext): VictimPolicy {
  const out = new Uint8Array(context.maxPages);
  let hand = 0;
  return {
    name: 'sweep',
    bytesPerPage: 1,
    chooseVictims(n, victims) {
      let found = 0;
      for (let seen = 0; seen < context.maxPages && found < n; seen++, hand = (hand + 1) % context.maxPages) if (out[hand] === 0) (out[hand] = 1), (victims[found++] = hand);
      return found;
    },
    notifyPagedOut: (gfn) => void (out[gfn] = 1),
    notifyPagedIn: (gfn) => void (out[gfn] = 0),
    notifyDropped: () => undefined,
    notifyNominationFailed: () => undefined,
    notifyAccess: () => undefined,
  };
}

function idle(): VictimPolicy {
  return { name: 'idle', bytesPerPage: 0, chooseVictims: () => 0, notifyPagedOut() {}, notifyPagedIn() {}, notifyDropped() {}, notifyNominationFailed() {}, notifyAccess() {} };
}

function thrown(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

describe('simulateTrace holds a policy to the contract', () => {
  const ids = Uint32Array.from({ length: 2000 }, (_, i) => (i * 7) % 500);

  it('a victim that is not resident is a POLICY error naming the policy, the gfn and the request', () => {
    const error = thrown(() => simulateTrace(ids, 500, sweepAssumingResident, 100));
    expect(isPagevisorError(error, 'POLICY')).toBe(true);
    const { gfn, request } = error as { gfn: number; request: number };
    expect(error).toMatchObject({ policy: 'sweep' });
    expect(request).toBeGreaterThanOrEqual(100); // the first evictions happen once 100 pages are in
    expect((error as Error).message).toBe(`sweep named gfn ${gfn} as a victim at request ${request}, which is not resident`);
    expect(ids.subarray(0, request)).not.toContain(gfn); // indeed never requested before
  });

  it('no victim from a full cache is a POLICY error', () => {
    const error = thrown(() => simulateTrace(ids, 500, idle, 100));
    expect(error).toMatchObject({ code: 'POLICY', policy: 'idle', gfn: undefined, request: 100 });
    expect((error as Error).message).toMatch(/idle chose no victim at request 100, with the cache full \(100 pages\)/);
  });
});
