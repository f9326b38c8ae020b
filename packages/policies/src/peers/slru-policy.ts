import type { PolicyContext } from '@pagevisor/core';
import { IdLists } from '../internal/id-lists.js';
import { SegmentedLru } from '../internal/segmented-lru.js';
import { TrackedPolicy } from '../classic/tracked-policy.js';

const SEGMENTS = 4;

/**
 * Segmented LRU (Karedla, Love and Wherry, "Caching Strategies to Improve Disk System Performance",
 * IEEE Computer 1994) with four LRU segments of a quarter of the cache each: a hit moves a page up one
 * segment (to the head of the top one if it is there); a segment over its share pushes its least
 * recent page down one, and the bottom one pushes it out. libCacheSim's `SLRU` with its default four
 * segments, named `S4LRU(25:25:25:25)` (libCacheSim/cache/eviction/SLRU.c), matched exactly: a new
 * page enters the lowest segment with room (so an empty cache fills from the bottom up), or the bottom
 * one; the victim is the least recent page of the lowest segment that holds any; and where the shares
 * round down (a cache of 21 pages has four segments of 5), the bottom segment may hold one page more,
 * which its next cascade pushes out, on a hit.
 *
 * @example
 * ```ts
 * simulateTrace(ids, distinct, (ctx) => new SlruPolicy(ctx), 1000).misses;
 * ```
 */
export class SlruPolicy extends TrackedPolicy {
  readonly name: string = 'slru';
  readonly bytesPerPage = TrackedPolicy.BASE_BYTES + TrackedPolicy.RELEASE_BYTES + IdLists.BYTES_PER_ID;
  private readonly lists: IdLists;
  private readonly segments: SegmentedLru;

  constructor(context: PolicyContext, topIsFifo = false) {
    super(context);
    this.allowReleases();
    this.lists = new IdLists(context.maxPages, SEGMENTS);
    this.segments = new SegmentedLru(this.lists, 1, SEGMENTS, (gfn) => this.release(gfn), topIsFifo);
    this.setCapacity(context.maxPages);
  }

  override setCapacity(pages: number): void {
    super.setCapacity(pages);
    this.segments.setEqualShares(pages);
  }

  protected touch(gfn: number): void {
    this.segments.touch(gfn);
  }

  protected admit(gfn: number): void {
    this.lists.remove(gfn);
    this.segments.insert(gfn);
  }

  protected evict(): number {
    return this.segments.evict();
  }

  protected forget(gfn: number): void {
    this.lists.remove(gfn);
  }
}

/**
 * Segmented FIFO: {@link SlruPolicy}'s four segments, each a FIFO: a hit moves a page up one segment
 * and changes nothing in the top one. libCacheSim's `SFIFO` (libCacheSim/cache/eviction/fifo/SFIFO.c,
 * four segments), matched exactly.
 *
 * @example
 * ```ts
 * simulateTrace(ids, distinct, (ctx) => new SfifoPolicy(ctx), 1000).misses;
 * ```
 */
export class SfifoPolicy extends SlruPolicy {
  override readonly name: string = 'sfifo';

  constructor(context: PolicyContext) {
    super(context, true);
  }
}
