import type { PolicyContext } from '@pagevisor/core';
import { TrackedPolicy } from './tracked-policy.js';

/**
 * Random replacement, seeded: the same seed and the same calls give the same victims. The resident
 * pages are kept in a dense array (8 bytes per page with their positions) so a victim is drawn in O(1).
 *
 * @example
 * ```ts
 * simulateTrace(ids, distinct, (ctx) => new RandomPolicy(ctx), 1000, false, 42).misses; // seed 42
 * ```
 */
export class RandomPolicy extends TrackedPolicy {
  readonly name = 'random';
  readonly bytesPerPage = TrackedPolicy.BASE_BYTES + 8;
  private readonly members: Int32Array;
  private readonly position: Int32Array;
  private count = 0;
  private draws: number;

  constructor(context: PolicyContext) {
    super(context);
    this.members = new Int32Array(context.maxPages);
    this.position = new Int32Array(context.maxPages).fill(-1);
    this.draws = (context.seed ^ 0x9e3779b9) >>> 0 || 1;
  }

  protected touch(): void {}

  protected admit(gfn: number): void {
    this.members[this.count] = gfn;
    this.position[gfn] = this.count++;
  }

  protected evict(): number {
    if (this.count === 0) return -1;
    const gfn = this.members[this.draw(this.count)]!;
    this.forget(gfn);
    return gfn;
  }

  protected forget(gfn: number): void {
    const at = this.position[gfn]!;
    if (at < 0) return;
    const last = this.members[--this.count]!;
    this.members[at] = last;
    this.position[last] = at;
    this.position[gfn] = -1;
  }

  /** xorshift32, then a multiply-shift into `[0, n)`. */
  private draw(n: number): number {
    let x = this.draws;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.draws = x >>> 0;
    return Math.floor((this.draws / 0x1_0000_0000) * n);
  }
}
