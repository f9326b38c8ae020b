/**
 * A set of ids `[0, n)` that can hand out a member drawn uniformly at random: members in a dense
 * array, each one's position per id, and a seeded xorshift32. Two Int32 per id; O(1) add, remove and
 * draw.
 */
export class SampledSet {
  private readonly members: Int32Array;
  private readonly position: Int32Array;
  private count = 0;
  private draws: number;

  /** @param seed - the draws' seed (any integer; the same seed, the same draws) */
  constructor(ids: number, seed: number) {
    this.members = new Int32Array(ids);
    this.position = new Int32Array(ids).fill(-1);
    this.draws = (seed ^ 0x9e3779b9) >>> 0 || 1;
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
    let x = this.draws;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.draws = x >>> 0;
    return this.members[Math.floor((this.draws / 0x1_0000_0000) * this.count)]!;
  }
}
