import { describe, expect, it } from 'vitest';
import type { PolicyContext, VictimPolicy } from '@pagevisor/core';
import { policyConformanceCases } from '@pagevisor/testing';

/** A sweep policy with switchable bugs, to show the suite catches them. */
function sweep(ctx: PolicyContext, bugs: { ignoreOut?: boolean; ignoreNeverEvict?: boolean; overfill?: boolean; nothing?: boolean; objectPerGfn?: boolean }): VictimPolicy {
  const out = new Uint8Array(ctx.maxPages);
  // The memory bug: an object per gfn seen, in a Map (what typed arrays avoid).
  const seen = new Map<number, { gfn: number; accesses: number }>();
  let hand = 0;
  return {
    name: 'sweep',
    bytesPerPage: 1,
    chooseVictims(n, victims) {
      if (bugs.nothing) return 0;
      let found = 0;
      for (let seen = 0; seen < ctx.maxPages && found < n; seen++, hand = (hand + 1) % ctx.maxPages) {
        if ((bugs.ignoreOut || out[hand] === 0) && (bugs.ignoreNeverEvict || ctx.neverEvict[hand] === 0)) victims[found++] = hand;
      }
      if (bugs.overfill) victims[found] = 0;
      return found;
    },
    notifyPagedOut: (gfn) => void (out[gfn] = 1),
    notifyPagedIn: (gfn) => void (out[gfn] = 0),
    notifyDropped: (gfn) => void (out[gfn] = 0),
    notifyNominationFailed: () => undefined,
    notifyAccess: (gfn) => {
      if (bugs.objectPerGfn) seen.set(gfn, { gfn, accesses: (seen.get(gfn)?.accesses ?? 0) + 1 });
    },
  };
}

async function failures(bugs: Parameters<typeof sweep>[1]): Promise<string[]> {
  const failed: string[] = [];
  for (const c of policyConformanceCases({ name: 'sweep', create: (ctx) => sweep(ctx, bugs), liveOnly: true })) {
    await c.run().catch((error: Error) => failed.push(`${c.name.replace('sweep: ', '')} | ${error.message}`));
  }
  return failed;
}

describe('policy conformance suite', () => {
  it('passes a correct policy', async () => {
    expect(await failures({})).toEqual([]);
  });

  it('catches a policy that picks out gfns, never-evict gfns, or writes past its count', async () => {
    expect((await failures({ ignoreOut: true })).join('\n')).toMatch(/which is (out|in flight)/);
    expect((await failures({ ignoreNeverEvict: true })).join('\n')).toMatch(/picked never-evict gfn 0/);
    expect((await failures({ overfill: true })).join('\n')).toMatch(/but wrote out\[/);
  });

  it('catches a policy that never evicts: chooseVictims returning 0 with pages above the target', async () => {
    expect((await failures({ nothing: true })).join('\n')).toMatch(/chose no victim of \d+ resident pages above the target/);
  });

  it('catches a policy that keeps an object per gfn on the heap: its memory is counted, not only typed arrays', async () => {
    expect((await failures({ objectPerGfn: true })).join('\n')).toMatch(/holds \d+\.\d+ bytes per page after seeing every page, declares 1/);
  });
});
