import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { entryMfn, identityFrame, INVALID_P2M_ENTRY, P2M_PER_PAGE, P2mTree } from '../src/sim/pv/p2m-tree.js';

/** pfns of a guest spanning two 1 GiB mid blocks and part of a third. */
const PFNS = 2 * P2M_PER_PAGE * P2M_PER_PAGE + 3 * P2M_PER_PAGE + 17;

type Op = { kind: 'set'; pfn: number; mfn: number } | { kind: 'invalidate'; pfn: number } | { kind: 'identity'; start: number; end: number };

const pfn = fc.integer({ min: 0, max: PFNS - 1 });
/** Boundaries near leaf and mid edges, where the seed 002 thread's question lies, and anywhere else. */
const boundary = fc.oneof(
  pfn,
  fc.tuple(fc.integer({ min: 0, max: Math.floor(PFNS / P2M_PER_PAGE) }), fc.integer({ min: -2, max: 2 })).map(([leaf, d]) => Math.min(PFNS, Math.max(0, leaf * P2M_PER_PAGE + d))),
);
const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant('set' as const), pfn, mfn: fc.integer({ min: 0, max: 2 ** 40 }) }),
  fc.record({ kind: fc.constant('invalidate' as const), pfn }),
  fc.tuple(boundary, boundary).map(([a, b]) => ({ kind: 'identity' as const, start: Math.min(a, b), end: Math.max(a, b) })),
);

/** The pfns an op touches and their neighbours: where tree and model could part. */
function probes(ops: Op[]): number[] {
  const at = new Set<number>([0, PFNS - 1]);
  for (const o of ops) {
    const points = o.kind === 'identity' ? [o.start, o.end] : [o.pfn];
    for (const p of points) for (const q of [p - P2M_PER_PAGE, p - 2, p - 1, p, p + 1, p + P2M_PER_PAGE]) if (q >= 0 && q < PFNS) at.add(q);
    if (o.kind === 'identity') at.add(Math.floor((o.start + o.end) / 2));
  }
  return [...at];
}

describe('the PV p2m tree against a flat array', () => {
  it('reads back what a flat model holds after any mix of stores and identity ranges at any boundary', () => {
    fc.assert(
      fc.property(fc.array(op, { minLength: 1, maxLength: 25 }), (ops) => {
        const tree = new P2mTree();
        for (const o of ops) {
          if (o.kind === 'set') expect(tree.set(o.pfn, BigInt(o.mfn))).toBe(true);
          else if (o.kind === 'invalidate') expect(tree.set(o.pfn, INVALID_P2M_ENTRY)).toBe(true);
          else expect(tree.setRangeIdentity(o.start, o.end)).toBe(o.end - o.start);
        }
        // The flat model: a pfn holds what the last op that covered it stored.
        const model = (p: number): bigint => {
          for (let k = ops.length - 1; k >= 0; k--) {
            const o = ops[k]!;
            if (o.kind === 'identity' ? p >= o.start && p < o.end : p === o.pfn) return o.kind === 'set' ? BigInt(o.mfn) : o.kind === 'invalidate' ? INVALID_P2M_ENTRY : identityFrame(p);
          }
          return INVALID_P2M_ENTRY;
        };
        for (const p of probes(ops)) expect(tree.get(p), `pfn ${p}`).toBe(model(p));
      }),
      { numRuns: 300 },
    );
  });

  it('shares placeholder pages: a whole missing leaf becomes the identity leaf, an unaligned edge gets its own page', () => {
    const tree = new P2mTree();
    expect(tree.setRangeIdentity(P2M_PER_PAGE * 4, P2M_PER_PAGE * 8)).toBe(4 * P2M_PER_PAGE);
    expect(tree.pagesAllocated).toEqual({ leaves: 0, mids: 1 });
    expect(tree.setRangeIdentity(P2M_PER_PAGE * 10 + 7, P2M_PER_PAGE * 12 + 3)).toBe(2 * P2M_PER_PAGE - 4);
    expect(tree.pagesAllocated).toEqual({ leaves: 2, mids: 1 });
    expect(tree.get(P2M_PER_PAGE * 10 + 6)).toBe(INVALID_P2M_ENTRY); // before the range: not identity
    expect(tree.get(P2M_PER_PAGE * 12 + 3)).toBe(INVALID_P2M_ENTRY); // the exclusive end
    expect(entryMfn(tree.get(P2M_PER_PAGE * 11))).toBe(P2M_PER_PAGE * 11);
  });

  it('keeps the other 511 identity entries when one pfn of an identity leaf is stored (Linux 3.6 dropped them)', () => {
    const tree = new P2mTree();
    tree.setRangeIdentity(0, P2M_PER_PAGE);
    tree.set(5, 0x1234n);
    expect(tree.get(5)).toBe(0x1234n);
    expect(tree.get(6)).toBe(identityFrame(6));
  });

  it('publishes the frame lists a restore reads: RAM pfns come back, identity pfns read INVALID', () => {
    const tree = new P2mTree();
    const flat: bigint[] = [];
    for (let p = 0; p < 3 * P2M_PER_PAGE; p++) {
      flat[p] = BigInt(0x5000 + p);
      tree.set(p, flat[p]!);
    }
    tree.setRangeIdentity(P2M_PER_PAGE + 100, P2M_PER_PAGE + 200);
    tree.setRangeIdentity(4 * P2M_PER_PAGE, 5 * P2M_PER_PAGE);
    const lists = tree.frameListList(6 * P2M_PER_PAGE);
    expect(lists.midMfns).toHaveLength(1);
    for (let p = 0; p < 6 * P2M_PER_PAGE; p++) {
      const leaf = tree.leafAt(lists.leafMfns[0]![Math.floor(p / P2M_PER_PAGE)]!)!;
      const restored = leaf[p % P2M_PER_PAGE]!;
      const expected = p >= P2M_PER_PAGE + 100 && p < P2M_PER_PAGE + 200 ? identityFrame(p) : p < 3 * P2M_PER_PAGE ? flat[p]! : INVALID_P2M_ENTRY;
      expect(restored, `pfn ${p}`).toBe(expected);
    }
  });
});
