/** Knuth's MMIX multiplier and increment, in 32-bit halves. */
const A_HI = 0x5851f42d;
const A_LO = 0x4c957f2d;
const C_HI = 0x14057b7e;
const C_LO = 0xf767814f;

/**
 * Knuth's MMIX linear congruential generator, `s ← 6364136223846793005 · s + 1442695040888963407`
 * (mod 2^64), the generator libCacheSim's `next_rand` uses (libCacheSim/utils/include/mymath.h), in
 * 32-bit halves. Its low bits repeat with a short period (bit k every 2^(k+1) draws), as libCacheSim's
 * do: a policy that takes `next() % 32` sees what libCacheSim's sees.
 */
export class MmixLcg {
  /** The state's high and low halves (a typed array: a field would box values above 2^31). */
  private readonly state = new Uint32Array(2);

  /** @param seed - any integer (the state's low half; its high half starts at 0) */
  constructor(seed: number) {
    this.state[1] = seed >>> 0;
  }

  /** The last `n` asked for, and `2^32 mod n`. */
  private modulus = 1;
  private wrap = 0;

  /** Advances the state and returns it modulo `n` (an integer, 1 ≤ n < 2^37). */
  nextBelow(n: number): number {
    this.advance();
    if (n !== this.modulus) {
      this.modulus = n;
      this.wrap = remainder(4294967296, n);
    }
    // (hi · 2^32 + lo) mod n = ((hi mod n) · (2^32 mod n) + lo) mod n, exact below 2^53.
    const hi = this.state[0]!;
    const lo = this.state[1]!;
    if (n < 67108864) return remainder(remainder(hi, n) * this.wrap + lo, n);
    return remainder(remainder(remainder(remainder(hi, n) * 65536, n) * 65536, n) + lo, n);
  }

  private advance(): void {
    const { state } = this;
    const hi = state[0]!;
    const lo = state[1]!;
    const low = Math.imul(lo, A_LO) >>> 0;
    const carry = low + C_LO > 0xffffffff ? 1 : 0;
    state[1] = low + C_LO;
    state[0] = highHalf(lo, A_LO) + Math.imul(lo, A_HI) + Math.imul(hi, A_LO) + C_HI + carry;
  }
}

/** The high 32 bits of the 64-bit product of two unsigned 32-bit integers, from 16-bit halves. */
function highHalf(x: number, y: number): number {
  const x0 = x & 0xffff;
  const x1 = x >>> 16;
  const y0 = y & 0xffff;
  const y1 = y >>> 16;
  const low = x0 * y0;
  const middle = x1 * y0 + (low >>> 16);
  const other = x0 * y1 + (middle & 0xffff);
  return x1 * y1 + (middle >>> 16) + (other >>> 16);
}

/** `x mod n` for integers 0 ≤ x < 2^53, n ≥ 1: the quotient a double division gives is exact there (no `%`, which is slow on doubles). */
function remainder(x: number, n: number): number {
  return x - Math.floor(x / n) * n;
}
