import { describe, expect, it } from 'vitest';
import { lruMissRatioCurve, shardsMissRatioCurve } from '@pagevisor/policies';
import { denseIds, zipfWorkload } from '@pagevisor/testing';
import { referenceRows, referenceTrace } from './support/reference.js';

describe('miss-ratio curves', () => {
  it('the exact curve (Mattson stack distances, one pass) gives LRU\'s misses of every reference row', () => {
    const rows = referenceRows().filter((row) => row.policy === 'lru');
    expect(rows.length).toBeGreaterThan(20);
    const wrong: string[] = [];
    for (const trace of new Set(rows.map((row) => row.trace))) {
      const { ids, distinct } = referenceTrace(trace);
      const curve = lruMissRatioCurve(ids, distinct);
      for (const row of rows.filter((r) => r.trace === trace)) {
        const misses = Math.round(curve.missRatio(row.size) * ids.length);
        if (misses !== row.misses) wrong.push(`${trace} ${row.size}: ${misses}, expected ${row.misses}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('SHARDS sampling every page is the exact curve; at 10% of the pages of a zipf trace it is within 0.01 on average', () => {
    const { ids, distinct } = denseIds(Float64Array.from(zipfWorkload({ pages: 100_000, accesses: 1_000_000, seed: 7, alpha: 0.9 }).targets));
    const exact = lruMissRatioCurve(ids, distinct);
    const sizes = Array.from({ length: 100 }, (_, i) => Math.max(1, Math.round(((i + 1) / 100) * distinct)));
    const full = shardsMissRatioCurve(ids, distinct, 1);
    for (const size of sizes) expect(full.missRatio(size)).toBeCloseTo(exact.missRatio(size), 12);
    for (const seed of [1, 2, 3]) {
      const sampled = shardsMissRatioCurve(ids, distinct, 0.1, seed);
      const mean = sizes.reduce((sum, size) => sum + Math.abs(sampled.missRatio(size) - exact.missRatio(size)), 0) / sizes.length;
      expect(mean, `seed ${seed}`).toBeLessThan(0.01);
    }
  });

  it('a sampling rate outside (0, 1] is a typed error', () => {
    for (const rate of [0, -0.1, 1.5, Number.NaN]) expect(() => shardsMissRatioCurve(new Uint32Array(4), 4, rate)).toThrow(expect.objectContaining({ code: 'CONFIG' }));
  });
});
