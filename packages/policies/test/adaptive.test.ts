import { describe, expect, it } from 'vitest';
import { AdaptivePolicy, simulateTrace } from '@pagevisor/policies';
import { referenceRows, referenceTrace } from './support/reference.js';

/**
 * On every trace and size of the reference tables with size ≥ 20, adaptive misses at most
 * 1.03 × the best classic policy, and its geometric mean of misses / Belady is below every classic
 * policy's. The classic counts are the tables' (exactness.test.ts proves ours equal them).
 */
const CLASSIC = ['lru', 'fifo', 'clock', 'clock2', 'sieve', 'arc', 's3fifo'];

function geomean(values: number[]): number {
  return Math.exp(values.reduce((sum, v) => sum + Math.log(v), 0) / values.length);
}

describe('adaptive', () => {
  it('is within 3% of the best classic policy on every cell, and has the lowest geometric mean over Belady', () => {
    const cells = new Map<string, Map<string, number>>();
    for (const row of referenceRows().filter((r) => r.size >= 20)) {
      const key = `${row.trace} ${row.size}`;
      if (!cells.has(key)) cells.set(key, new Map());
      cells.get(key)!.set(row.policy, row.misses);
    }
    const over: string[] = [];
    const adaptiveOverBelady: number[] = [];
    const classicOverBelady = new Map(CLASSIC.map((p) => [p, [] as number[]]));
    for (const [key, misses] of cells) {
      const [trace, size] = key.split(' ');
      const { ids, distinct } = referenceTrace(trace!);
      const adaptive = simulateTrace(ids, distinct, (ctx) => new AdaptivePolicy(ctx), Number(size)).misses;
      const best = Math.min(...CLASSIC.map((p) => misses.get(p)!));
      if (adaptive > 1.03 * best) over.push(`${key}: ${adaptive} misses, best classic ${best} (${(adaptive / best).toFixed(3)}×)`);
      adaptiveOverBelady.push(adaptive / misses.get('belady')!);
      for (const p of CLASSIC) classicOverBelady.get(p)!.push(misses.get(p)! / misses.get('belady')!);
    }
    expect(cells.size).toBe(24);
    expect(over).toEqual([]);
    const ours = geomean(adaptiveOverBelady);
    for (const [policy, ratios] of classicOverBelady) expect(ours, `adaptive ${ours.toFixed(4)} vs ${policy} ${geomean(ratios).toFixed(4)}`).toBeLessThan(geomean(ratios));
  }, 120_000);

  it('takes peer policies as experts too, and refuses a name that is not one', () => {
    const { ids, distinct } = referenceTrace('lirs-cpp');
    const withPeers = simulateTrace(ids, distinct, (ctx) => new AdaptivePolicy(ctx, { experts: ['lirs', 's3fifod', 'clock2'] }), 122).misses;
    const lirs = referenceRows().find((r) => r.trace === 'lirs-cpp' && r.policy === 'lirs' && r.size === 122)!.misses;
    expect(withPeers).toBeLessThanOrEqual(Math.ceil(1.05 * lirs));
    const context = { maxPages: 8, neverEvict: new Uint8Array(8), seed: 1, startsEmpty: true };
    for (const name of ['belady', 'nope']) expect(() => new AdaptivePolicy(context, { experts: [name] })).toThrow(expect.objectContaining({ code: 'CONFIG' }));
  });
});
