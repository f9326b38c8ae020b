import type { PolicyContext } from '@pagevisor/core';
import { SampledSet } from '../internal/sampled-set.js';
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
  readonly bytesPerPage = TrackedPolicy.BASE_BYTES + SampledSet.BYTES_PER_ID;
  private readonly members: SampledSet;

  constructor(context: PolicyContext) {
    super(context);
    this.members = new SampledSet(context.maxPages, context.seed);
  }

  protected touch(): void {}

  protected admit(gfn: number): void {
    this.members.add(gfn);
  }

  protected evict(): number {
    const gfn = this.members.draw();
    if (gfn >= 0) this.members.remove(gfn);
    return gfn;
  }

  protected forget(gfn: number): void {
    this.members.remove(gfn);
  }
}
