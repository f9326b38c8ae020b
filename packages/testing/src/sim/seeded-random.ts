/**
 * A small, fast, seeded PRNG (sfc32): the only source of randomness in the simulator, so a run is
 * reproducible bit for bit from its seed.
 *
 * @example
 * ```ts
 * import { SeededRandom } from '@pagevisor/testing';
 *
 * const random = new SeededRandom(42);
 * random.int(10); // the same number on every run with seed 42
 * ```
 */
export class SeededRandom {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  /** @param seed - any 32-bit integer (other numbers are folded into one) */
  constructor(seed: number) {
    this.a = 0x9e3779b9;
    this.b = 0x243f6a88;
    this.c = 0xb7e15162;
    this.d = (seed ^ Math.floor(seed / 0x1_0000_0000)) >>> 0;
    for (let i = 0; i < 12; i++) this.uint32();
  }

  /** The next uniformly distributed unsigned 32-bit integer. */
  uint32(): number {
    const t = (((this.a + this.b) >>> 0) + this.d) >>> 0;
    this.d = (this.d + 1) >>> 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) >>> 0;
    this.c = ((this.c << 21) | (this.c >>> 11)) >>> 0;
    this.c = (this.c + t) >>> 0;
    return t;
  }

  /** A float in `[0, 1)`. */
  float(): number {
    return this.uint32() / 0x1_0000_0000;
  }

  /** An integer in `[0, n)`. */
  int(n: number): number {
    return Math.floor(this.float() * n);
  }
}
