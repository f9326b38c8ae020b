import type { PolicyContext } from '@pagevisor/core';
import { FrequencyBuckets } from '../internal/frequency-buckets.js';
import { TrackedPolicy } from '../classic/tracked-policy.js';

/**
 * LFU: the victim is a resident page with the fewest hits since it came in, the one that has had that
 * count longest on a tie. A page's count starts at 1 when it comes in and is forgotten when it leaves.
 * libCacheSim's `LFU` (libCacheSim/cache/eviction/LFU.c: per-frequency lists, a page appended to its
 * new frequency's list on a hit, the head of the lowest one evicted), matched exactly.
 *
 * @remarks
 * Frequency buckets in a list sorted by count, pages in a list per bucket: every operation is O(1),
 * on typed arrays.
 *
 * @example
 * ```ts
 * simulateTrace(ids, distinct, (ctx) => new LfuPolicy(ctx), 1000).misses;
 * ```
 */
export class LfuPolicy extends TrackedPolicy {
  readonly name: string = 'lfu';
  readonly bytesPerPage = TrackedPolicy.BASE_BYTES + FrequencyBuckets.BYTES_PER_PAGE;
  protected readonly buckets: FrequencyBuckets;

  constructor(context: PolicyContext) {
    super(context);
    this.buckets = new FrequencyBuckets(context.maxPages);
  }

  protected touch(gfn: number): void {
    this.buckets.bump(gfn);
  }

  protected admit(gfn: number): void {
    this.buckets.add(gfn);
  }

  protected evict(): number {
    const gfn = this.victim();
    this.buckets.remove(gfn);
    return gfn;
  }

  /** The victim among the pages of the lowest count: the one that has had it longest. */
  protected victim(): number {
    return this.buckets.oldestOfLowest();
  }

  protected forget(gfn: number): void {
    this.buckets.remove(gfn);
  }
}

/**
 * LFU that breaks ties the other way: among the pages of the lowest count, the one that reached it
 * last goes. libCacheSim's `CR_LFU` on its own (libCacheSim/cache/eviction/CR_LFU.c, which evicts its
 * lowest frequency's `last_obj`; the ghost list it consults inside `SR_LRU` is absent then), matched
 * exactly.
 *
 * @example
 * ```ts
 * simulateTrace(ids, distinct, (ctx) => new CrLfuPolicy(ctx), 1000).misses;
 * ```
 */
export class CrLfuPolicy extends LfuPolicy {
  override readonly name: string = 'cr-lfu';

  protected override victim(): number {
    return this.buckets.newestOfLowest();
  }
}
