import type { PolicyContext } from '@pagevisor/core';
import { IdLists } from '../internal/id-lists.js';
import { TrackedPolicy } from '../classic/tracked-policy.js';

const SEGMENTS = 4;

/**
 * Segmented FIFO with lazy promotion (LP-SFIFO): four FIFO segments of a quarter of the cache each,
 * filled from the bottom up. A hit only counts (in the bottom segment, it only marks); pages move when the bottom segment's oldest page is
 * looked at for eviction: one hit or more sends it to the head of the segment of that many hits (the
 * top one for three or more), with its count cleared, and a segment over its quarter passes its oldest
 * pages down one, counts kept; the oldest page of the bottom segment with no hit is the victim.
 * libCacheSim's `LP-SFIFO` (libCacheSim/cache/eviction/fifo/LP_SFIFO.c, `n-seg=4,seg-size=1:1:1:1`),
 * matched exactly.
 *
 * @example
 * ```ts
 * simulateTrace(ids, distinct, (ctx) => new LpSfifoPolicy(ctx), 1000).misses;
 * ```
 */
export class LpSfifoPolicy extends TrackedPolicy {
  readonly name = 'lp-sfifo';
  readonly bytesPerPage = TrackedPolicy.BASE_BYTES + IdLists.BYTES_PER_ID + 1;
  /** Segment `s` is list `s + 1`. */
  private readonly lists: IdLists;
  private readonly hits: Uint8Array;
  private share = 0;

  constructor(context: PolicyContext) {
    super(context);
    this.lists = new IdLists(context.maxPages, SEGMENTS);
    this.hits = new Uint8Array(context.maxPages);
    this.setCapacity(context.maxPages);
  }

  override setCapacity(pages: number): void {
    super.setCapacity(pages);
    this.share = Math.floor(pages * 0.25);
  }

  /** In the bottom segment a hit only marks the page (its count becomes at least 1); above, it counts. */
  protected touch(gfn: number): void {
    const { hits } = this;
    if (this.lists.listOf[gfn] === 1) {
      if (hits[gfn] === 0) hits[gfn] = 1;
    } else if (hits[gfn]! < 255) hits[gfn]!++;
  }

  protected admit(gfn: number): void {
    const { lists } = this;
    lists.remove(gfn);
    let list = 1;
    while (list <= SEGMENTS && lists.size(list) + 1 > this.share) list++;
    this.hits[gfn] = 0;
    lists.pushHead(list > SEGMENTS ? 1 : list, gfn);
  }

  protected evict(): number {
    const { lists, hits } = this;
    for (;;) {
      if (lists.size(1) === 0) {
        // Not reached on libCacheSim's path (it asserts the bottom holds a page): a live pager's
        // capacity can change under the segments, so take the lowest segment that holds one.
        for (let list = 2; list <= SEGMENTS; list++) if (lists.size(list) > 0) return lists.popTail(list);
        return -1;
      }
      const gfn = lists.popTail(1);
      if (hits[gfn] === 0) return gfn;
      const to = Math.min(hits[gfn]!, SEGMENTS - 1) + 1;
      hits[gfn] = 0;
      lists.pushHead(to, gfn);
      this.passDown(to);
    }
  }

  protected forget(gfn: number): void {
    this.lists.remove(gfn);
  }

  /** While segment `list` is over its share, its oldest pages go down one; then the segment below in turn. */
  private passDown(list: number): void {
    const { lists } = this;
    for (let at = list; at > 1 && lists.size(at) > this.share; at--) {
      while (lists.size(at) > this.share) lists.moveToHead(at - 1, lists.tail(at));
    }
  }
}
