import type { PolicyContext } from '@pagevisor/core';
import { IdLists } from '../internal/id-lists.js';
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
  /** Segment `s` is list `s + 1`. */
  private readonly lists: IdLists;
  private share = 0;

  constructor(context: PolicyContext) {
    super(context);
    this.allowReleases();
    this.lists = new IdLists(context.maxPages, SEGMENTS);
    this.setCapacity(context.maxPages);
  }

  override setCapacity(pages: number): void {
    super.setCapacity(pages);
    this.share = Math.floor(pages / SEGMENTS);
  }

  protected touch(gfn: number): void {
    const { lists } = this;
    const list = lists.listOf[gfn]!;
    if (list === SEGMENTS) {
      this.touchTop(gfn);
      return;
    }
    lists.moveToHead(list + 1, gfn);
    this.cool(list + 1);
  }

  /** A hit in the top segment: to its head. */
  protected touchTop(gfn: number): void {
    this.lists.moveToHead(SEGMENTS, gfn);
  }

  protected admit(gfn: number): void {
    const { lists } = this;
    lists.remove(gfn);
    let list = 1;
    while (list <= SEGMENTS && lists.size(list) + 1 > this.share) list++;
    lists.pushHead(list > SEGMENTS ? 1 : list, gfn);
  }

  protected evict(): number {
    for (let list = 1; list <= SEGMENTS; list++) if (this.lists.size(list) > 0) return this.lists.popTail(list);
    return -1;
  }

  protected forget(gfn: number): void {
    this.lists.remove(gfn);
  }

  /** While segment `list` is over its share, its least recent page goes down one (out of the cache from the bottom). */
  private cool(list: number): void {
    const { lists } = this;
    while (lists.size(list) > this.share) {
      if (list === 1) {
        this.release(lists.popTail(1));
        continue;
      }
      lists.moveToHead(list - 1, lists.tail(list));
      this.cool(list - 1);
    }
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

  protected override touchTop(): void {}
}
