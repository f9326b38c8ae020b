import { describe, expect, it } from 'vitest';
import { MmixLcg } from '../src/internal/mmix-lcg.js';

/** The generator in 32-bit halves against the same recurrence in BigInt (libCacheSim's `next_rand`). */
describe('MmixLcg', () => {
  it('follows s ← 6364136223846793005·s + 1442695040888963407 mod 2^64, reduced mod n', () => {
    for (const seed of [0, 1, 0xdeadbeef]) {
      let state = BigInt(seed);
      const lcg = new MmixLcg(seed);
      for (let i = 0; i < 2000; i++) {
        state = (6364136223846793005n * state + 1442695040888963407n) & 0xffffffffffffffffn;
        const n = [32, 1000, 2485, 1 << 20, 2 ** 36 + 7][i % 5]!;
        expect(lcg.nextBelow(n)).toBe(Number(state % BigInt(n)));
      }
    }
  });
});
