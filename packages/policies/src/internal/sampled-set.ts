import { XorShift32 } from './xorshift32.js';

/**
 * A set of ids `[0, n)` that can hand out a member drawn uniformly at random: members in a dense
 * array, each one's position per id, and seeded draws. Two Int32 per id; O(1) add, remove and
 * draw.
 */
export class SampledSet {
  private readonly members: Int32Array;
  private readonly position: Int32Array;
  private count = 0;
  private readonly draws: XorShift32;

  /** @param seed - the draws' seed (any integer; the same seed, the same draws) */
  constructor(ids: number, seed: number) {
    this.members = new Int32Array(ids);
    this.position = new Int32Array(ids).fill(-1);
    this.draws = new XorShift32(seed);
  }

  /** Bytes per id. */
  static readonly BYTES_PER_ID = 8;

  get size(): number {
    return this.count;
  }

  add(id: number): void {
    if (this.position[id]! >= 0) return;
    this.members[this.count] = id;
    this.position[id] = this.count++;
  }

  remove(id: number): void {
    const at = this.position[id]!;
    if (at < 0) return;
    const last = this.members[--this.count]!;
    this.members[at] = last;
    this.position[last] = at;
    this.position[id] = -1;
  }

  /** A member drawn uniformly (left in), or -1 when empty. */
  draw(): number {
    if (this.count === 0) return -1;
    return this.members[Math.floor((this.draws.next() / 0x1_0000_0000) * this.count)]!;
  }
}
