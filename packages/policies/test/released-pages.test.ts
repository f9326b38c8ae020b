import { describe, expect, it } from 'vitest';
import { LruPolicy, SlruPolicy } from '@pagevisor/policies';

/** An SLRU of 5 pages (four segments of 1) holding 0 … 4 in order: the bottom segment holds 4 and 0. */
function slruOfFive(): SlruPolicy {
  const policy = new SlruPolicy({ maxPages: 8, neverEvict: new Uint8Array(8), seed: 1, startsEmpty: true });
  policy.setCapacity(5);
  for (let gfn = 0; gfn < 5; gfn++) {
    policy.notifyAccess(gfn, gfn);
    policy.notifyPagedIn(gfn, true);
  }
  return policy;
}

describe('pages a policy lets go of on its own', () => {
  it('a hit that cascades down SLRU\'s segments releases the bottom one\'s least recent page, for a simulation to evict at once', () => {
    const policy = slruOfFive();
    const into = new Uint32Array(4);
    expect(policy.drainReleased!(into)).toBe(0);
    policy.notifyAccess(4, 5); // 4 goes up, 1 comes down, the bottom holds 1 and 0: 0 goes
    expect(policy.drainReleased!(into)).toBe(1);
    expect(into[0]).toBe(0);
    expect(policy.drainReleased!(into)).toBe(0);
  });

  it('a policy that never lets go on its own has no drainReleased, so a simulation of it pays nothing', () => {
    expect(new LruPolicy({ maxPages: 8, neverEvict: new Uint8Array(8), seed: 1, startsEmpty: true }).drainReleased).toBeUndefined();
    expect(slruOfFive().drainReleased).toBeTypeOf('function');
  });

  it('live, a released page is the first victim', () => {
    const policy = slruOfFive();
    policy.notifyAccess(4, 5);
    const out = new Uint32Array(2);
    expect(policy.chooseVictims(2, out)).toBe(2);
    expect([...out]).toEqual([0, 1]); // then the least recent page of the lowest segment
  });

  it('live, a released page touched before the pager takes it comes back in instead', () => {
    const policy = slruOfFive();
    policy.notifyAccess(4, 5);
    policy.notifyAccess(0, 6); // still resident: the policy takes it back, as a new page
    const out = new Uint32Array(1);
    expect(policy.chooseVictims(1, out)).toBe(1);
    expect(out[0]).not.toBe(0);
    expect(policy.drainReleased!(new Uint32Array(4))).toBe(0);
  });

  it('a released page the guest gives back (a balloon) is neither released nor held', () => {
    const policy = slruOfFive();
    policy.notifyAccess(4, 5);
    policy.notifyDropped(0);
    expect(policy.drainReleased!(new Uint32Array(4))).toBe(0);
    const out = new Uint32Array(8);
    const n = policy.chooseVictims(8, out);
    expect([...out.subarray(0, n)].sort()).toEqual([1, 2, 3, 4]);
  });
});
