import { describe, expect, it } from 'vitest';
import { AccessTimestampPolicy } from '@pagevisor/policies';

function policy(hotWindow = 100): AccessTimestampPolicy {
  return new AccessTimestampPolicy({ maxPages: 16, neverEvict: new Uint8Array(16), seed: 1, startsEmpty: true }, { hotWindow });
}

describe('access-timestamp (seed 003)', () => {
  it('skips pages accessed within the hot window while colder ones remain', () => {
    const p = policy();
    for (let gfn = 0; gfn < 4; gfn++) {
      p.notifyAccess(gfn, gfn);
      p.notifyPagedIn(gfn, true);
    }
    p.notifyAccess(0, 150); // gfn 0 is hot at time 150; 1–3 were last touched at 1–3
    p.notifyAccess(2, 150);
    const out = new Uint32Array(4);
    expect(p.chooseVictims(2, out)).toBe(2);
    expect([...out.subarray(0, 2)]).toEqual([1, 3]);
  });

  it('takes the coldest page when every page is hot', () => {
    const p = policy(1000);
    for (const [gfn, time] of [[5, 4], [6, 8], [7, 10]] as const) {
      p.notifyAccess(gfn, time);
      p.notifyPagedIn(gfn, true);
    }
    p.notifyAccess(5, 20); // now 6 (at 8) is the coldest, though 5 came in first
    const out = new Uint32Array(1);
    expect(p.chooseVictims(1, out)).toBe(1);
    expect(out[0]).toBe(6);
  });

  it('refuses the eviction of a page touched between its nomination and its eviction (the second race)', () => {
    const p = policy(10);
    p.notifyAccess(3, 0);
    p.notifyPagedIn(3, true);
    p.notifyAccess(9, 1);
    p.notifyPagedIn(9, true);
    p.notifyAccess(12, 50); // time moves on: 3 and 9 are cold
    const out = new Uint32Array(2);
    expect(p.chooseVictims(2, out)).toBe(2);
    expect(p.confirmEviction(3)).toBe(true);
    p.notifyAccess(9, 51); // gfn_to_mfn() on a nominated page
    expect(p.confirmEviction(9)).toBe(false);
  });

  it('refuses a hot window that is not a positive number', () => {
    expect(() => policy(0)).toThrow(/hotWindow 0 is not a positive number/);
  });
});
