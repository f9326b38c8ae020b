import type { PolicyContext } from '@pagevisor/core';
import { TrackedPolicy } from '../classic/tracked-policy.js';

const NIL = -1;

/**
 * LFU: the victim is a resident page with the fewest hits since it came in, the one that has had that
 * count longest on a tie. A page's count starts at 1 when it comes in and is forgotten when it leaves.
 * libCacheSim's `LFU` (libCacheSim/cache/eviction/LFU.c: per-frequency lists, a page appended to its
 * new frequency's list on a hit, the head of the lowest one evicted), matched exactly.
 *
 * @remarks
 * Frequency buckets in a list sorted by count, pages in a list per bucket: every operation is O(1),
 * on typed arrays (three Int32 per page; per bucket, a Float64 and six Int32, one bucket per page at most).
 *
 * @example
 * ```ts
 * simulateTrace(ids, distinct, (ctx) => new LfuPolicy(ctx), 1000).misses;
 * ```
 */
export class LfuPolicy extends TrackedPolicy {
  readonly name: string = 'lfu';
  readonly bytesPerPage = TrackedPolicy.BASE_BYTES + 12 + 32;
  /** Per page: toward the newer end of its bucket, toward the older, and its bucket. */
  private readonly newer: Int32Array;
  private readonly older: Int32Array;
  private readonly bucketOf: Int32Array;
  /** Per bucket: its count, its oldest and newest page, its size, and the buckets of lower and higher counts. */
  private readonly count: Float64Array;
  private readonly oldest: Int32Array;
  protected readonly newest: Int32Array;
  private readonly size: Int32Array;
  private readonly lower: Int32Array;
  private readonly higher: Int32Array;
  private readonly freeBuckets: Int32Array;
  private freeCount: number;
  /** The bucket of the lowest count, or -1. */
  private lowest = NIL;

  constructor(context: PolicyContext) {
    super(context);
    const pages = context.maxPages;
    this.newer = new Int32Array(pages);
    this.older = new Int32Array(pages);
    this.bucketOf = new Int32Array(pages).fill(NIL);
    const buckets = pages + 1;
    this.count = new Float64Array(buckets);
    this.oldest = new Int32Array(buckets);
    this.newest = new Int32Array(buckets);
    this.size = new Int32Array(buckets);
    this.lower = new Int32Array(buckets);
    this.higher = new Int32Array(buckets);
    this.freeBuckets = Int32Array.from({ length: buckets }, (_, i) => buckets - 1 - i);
    this.freeCount = buckets;
  }

  protected touch(gfn: number): void {
    const from = this.bucketOf[gfn]!;
    const next = this.higher[from]!;
    const to = next !== NIL && this.count[next] === this.count[from]! + 1 ? next : this.newBucket(this.count[from]! + 1, from);
    this.unlink(gfn);
    this.append(to, gfn);
  }

  protected admit(gfn: number): void {
    const first = this.lowest;
    this.append(first !== NIL && this.count[first] === 1 ? first : this.newBucket(1, NIL), gfn);
  }

  protected evict(): number {
    if (this.lowest === NIL) return -1;
    const gfn = this.victimOf(this.lowest);
    this.unlink(gfn);
    return gfn;
  }

  /** The victim among the pages of the lowest count: the one that has had it longest. */
  protected victimOf(bucket: number): number {
    return this.oldest[bucket]!;
  }

  protected forget(gfn: number): void {
    if (this.bucketOf[gfn] !== NIL) this.unlink(gfn);
  }

  /** A bucket of `count`, linked after `after` (-1: first). */
  private newBucket(count: number, after: number): number {
    const b = this.freeBuckets[--this.freeCount]!;
    this.count[b] = count;
    this.oldest[b] = NIL;
    this.newest[b] = NIL;
    this.size[b] = 0;
    const next = after === NIL ? this.lowest : this.higher[after]!;
    this.lower[b] = after;
    this.higher[b] = next;
    if (after === NIL) this.lowest = b;
    else this.higher[after] = b;
    if (next !== NIL) this.lower[next] = b;
    return b;
  }

  private append(b: number, gfn: number): void {
    const last = this.newest[b]!;
    this.older[gfn] = last;
    this.newer[gfn] = NIL;
    if (last !== NIL) this.newer[last] = gfn;
    else this.oldest[b] = gfn;
    this.newest[b] = gfn;
    this.size[b]!++;
    this.bucketOf[gfn] = b;
  }

  /** Takes `gfn` out of its bucket, and frees the bucket if that empties it. */
  private unlink(gfn: number): void {
    const b = this.bucketOf[gfn]!;
    const older = this.older[gfn]!;
    const newer = this.newer[gfn]!;
    if (older !== NIL) this.newer[older] = newer;
    else this.oldest[b] = newer;
    if (newer !== NIL) this.older[newer] = older;
    else this.newest[b] = older;
    this.bucketOf[gfn] = NIL;
    if (--this.size[b]! > 0) return;
    const lower = this.lower[b]!;
    const higher = this.higher[b]!;
    if (lower !== NIL) this.higher[lower] = higher;
    else this.lowest = higher;
    if (higher !== NIL) this.lower[higher] = lower;
    this.freeBuckets[this.freeCount++] = b;
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

  protected override victimOf(bucket: number): number {
    return this.newest[bucket]!;
  }
}
