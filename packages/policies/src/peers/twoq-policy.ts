import type { PolicyContext } from '@pagevisor/core';
import { IdLists } from '../internal/id-lists.js';
import { TrackedPolicy } from '../classic/tracked-policy.js';

const A_IN = 1;
const A_M = 2;
const A_OUT = 3;

/**
 * 2Q (Johnson and Shasha, "2Q: A Low Overhead High Performance Buffer Management Replacement
 * Algorithm", VLDB 1994, the full version): new pages enter a FIFO, `A1in` (a quarter of the cache);
 * pages it pushes out are remembered, without their data, in `A1out` (ids of half the cache's size); a
 * miss on a remembered page brings it into `Am`, an LRU of the rest of the cache. libCacheSim's `TwoQ`
 * (libCacheSim/cache/eviction/TwoQ.c, `Ain-size-ratio=0.25,Aout-size-ratio=0.5`), matched exactly,
 * including its `Am` being a cache of its own size: a page entering a full `Am` pushes out `Am`'s
 * least recent page, after the cache made room, so such a miss can cost two pages.
 *
 * @example
 * ```ts
 * simulateTrace(ids, distinct, (ctx) => new TwoQPolicy(ctx), 1000).misses;
 * ```
 */
export class TwoQPolicy extends TrackedPolicy {
  readonly name = 'twoq';
  readonly bytesPerPage = TrackedPolicy.BASE_BYTES + TrackedPolicy.RELEASE_BYTES + IdLists.BYTES_PER_ID;
  private readonly lists: IdLists;
  private inSize = 0;
  private outSize = 0;
  private mainSize = 0;
  private ghostHit = false;

  constructor(context: PolicyContext) {
    super(context);
    this.allowReleases();
    this.lists = new IdLists(context.maxPages, 3);
    this.setCapacity(context.maxPages);
  }

  override setCapacity(pages: number): void {
    super.setCapacity(pages);
    this.inSize = Math.floor(pages * 0.25);
    this.outSize = Math.floor(pages * 0.5);
    this.mainSize = pages - this.inSize;
  }

  protected touch(gfn: number): void {
    if (this.lists.listOf[gfn] === A_M) this.lists.moveToHead(A_M, gfn);
  }

  protected override onMiss(gfn: number): void {
    this.ghostHit = this.lists.take(A_OUT, gfn);
  }

  protected admit(gfn: number): void {
    const { lists } = this;
    lists.remove(gfn); // a victim whose nomination failed comes back from A1out
    if (this.ghostHit) {
      while (lists.size(A_M) > 0 && lists.size(A_M) + 1 > this.mainSize) this.release(lists.popTail(A_M));
      lists.pushHead(A_M, gfn);
    } else {
      lists.pushHead(A_IN, gfn);
    }
    this.ghostHit = false;
  }

  protected evict(): number {
    const { lists } = this;
    if (lists.size(A_IN) > this.inSize || lists.size(A_M) === 0) {
      const gfn = lists.popTail(A_IN);
      if (gfn < 0) return -1;
      lists.pushBounded(A_OUT, gfn, this.outSize);
      return gfn;
    }
    return lists.popTail(A_M);
  }

  protected forget(gfn: number): void {
    this.lists.remove(gfn);
  }
}
