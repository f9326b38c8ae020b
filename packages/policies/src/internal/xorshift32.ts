/** Marsaglia's xorshift32, seeded: the policies' source of draws (the same seed, the same draws). */
export class XorShift32 {
  private state: number;

  /** @param seed - any integer */
  constructor(seed: number) {
    this.state = (seed ^ 0x9e3779b9) >>> 0 || 1;
  }

  /** The next draw, an integer in `[1, 2^32)`. */
  next(): number {
    let x = this.state;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.state = x >>> 0;
    return this.state;
  }
}
