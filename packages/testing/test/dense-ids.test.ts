import { describe, expect, it } from 'vitest';
import { denseIds } from '@pagevisor/testing';

describe('denseIds', () => {
  it('numbers ids by first appearance, through many table growths, sparse and large ids alike', () => {
    const ids = new Float64Array(400_000);
    let x = 12345;
    for (let i = 0; i < ids.length; i++) {
      x = (Math.imul(x, 1103515245) + 12345) >>> 0;
      // 150 000 or so distinct ids: block numbers, byte addresses near 2^52, and small ids.
      ids[i] = i % 3 === 0 ? x % 100_000 : i % 3 === 1 ? 2 ** 52 - (x % 50_000) * 4096 : (x % 1000) * 7;
    }
    const expected = new Map<number, number>();
    const want = Array.from(ids, (id) => {
      if (!expected.has(id)) expected.set(id, expected.size);
      return expected.get(id)!;
    });
    const { ids: got, distinct } = denseIds(ids);
    expect(distinct).toBe(expected.size);
    expect(distinct).toBeGreaterThan(1 << 16);
    expect(Array.from(got)).toEqual(want);
  });

  it('takes -0 and 0 as one id', () => {
    expect(denseIds(new Float64Array([0, -0, 5, 0]))).toEqual({ ids: new Uint32Array([0, 0, 1, 0]), distinct: 2 });
  });
});
