import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { XenpagingPolicy } from '@pagevisor/policies';

/**
 * The xenpaging policy chooses exactly what Xen 4.2's policy_default.c chooses. The
 * fixture holds long random sequences of choose / paged out / paged in / dropped and the victims of
 * Xen's own file, compiled and run by tools/xenpaging-reference (its origin is in the file).
 */
interface Scenario {
  readonly maxPages: number;
  readonly mruSize: number;
  readonly ops: string;
  readonly victims: number[];
}
const fixture = JSON.parse(readFileSync(new URL('./fixtures/xenpaging-reference.json', import.meta.url), 'utf8')) as { origin: string; scenarios: Scenario[] };

describe(`xenpaging victims against ${fixture.origin.split(' (')[0]}`, () => {
  for (const s of fixture.scenarios) {
    it(`max_pages ${s.maxPages}, MRU ${s.mruSize}: all ${s.victims.length} victims as Xen chose them`, () => {
      const neverEvict = new Uint8Array(s.maxPages);
      neverEvict[0] = 1;
      const policy = new XenpagingPolicy({ maxPages: s.maxPages, neverEvict, seed: 1 }, { mruSize: s.mruSize });
      const one = new Uint32Array(1);
      const victims: number[] = [];
      const ops = s.ops.split(',');
      ops.forEach((op, i) => {
        const gfn = Number(op.slice(2));
        if (op === 'c') {
          const victim = policy.chooseVictims(1, one) === 1 ? one[0]! : -1;
          victims.push(victim);
          // A victim not paged out next was refused by nominate: xenpaging leaves it tried.
          if (victim >= 0 && ops[i + 1] !== `o ${victim}`) policy.notifyNominationFailed(victim);
        } else if (op[0] === 'o') {
          policy.notifyPagedOut(gfn);
        } else if (op[0] === 'i') {
          policy.notifyPagedIn(gfn, true);
        } else {
          policy.notifyDropped(gfn);
        }
      });
      const first = victims.findIndex((v, i) => v !== s.victims[i]);
      expect(first, first < 0 ? '' : `choice ${first}: Xen chose ${s.victims[first]}, the policy ${victims[first]}`).toBe(-1);
      expect(victims.length).toBe(s.victims.length);
      expect(s.victims.length).toBeGreaterThan(2000);
    });
  }

  it('the sequences reach every branch: failed passes and, where everything is busy, a cleared unconsumed set', () => {
    const tiny = fixture.scenarios.find((s) => s.maxPages === 256)!;
    expect(tiny.victims.filter((v) => v < 0).length).toBeGreaterThan(123);
  });
});
