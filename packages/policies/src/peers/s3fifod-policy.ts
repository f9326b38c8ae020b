import type { PolicyContext } from '@pagevisor/core';
import { IdLists } from '../internal/id-lists.js';
import { TrackedPolicy } from '../classic/tracked-policy.js';

/** Lists of `lists`: the cache's two queues and the ghost. */
const SMALL = 1;
const MAIN = 2;
const GHOST = 3;
/** Lists of `departed`: pages lately pushed out of each queue, to see which queue's evictions come back. */
const LEFT_SMALL = 1;
const LEFT_MAIN = 2;
/** CLOCK-2's counter tops out at 3 (two bits). */
const CLOCK_MAX = 3;

/**
 * S3-FIFO with a dynamic split (S3-FIFOd): S3-FIFO's small FIFO (10% of the cache at first) and main
 * CLOCK with two-bit counters, whose boundary moves toward the queue whose evicted pages come back
 * more: two FIFOs of ids (a tenth of the cache each) remember what each queue pushed out lately, and
 * once more than 100 returns are counted and one queue's are over twice the other's, a step of pages
 * (a thousandth of the smaller queue, at least 1) moves to that queue (the counts then decay by 20%).
 * libCacheSim's `S3FIFOd` with its defaults, `S3FIFOd-Clock2-1` (libCacheSim/cache/eviction/S3FIFOd.c),
 * matched exactly: its ghost is as large as main at first and moves with small, and main is a cache of
 * its own size (a page entering a full main from the ghost pushes main's victim out).
 *
 * @example
 * ```ts
 * simulateTrace(ids, distinct, (ctx) => new S3FifodPolicy(ctx), 1000).misses;
 * ```
 */
export class S3FifodPolicy extends TrackedPolicy {
  readonly name = 's3fifod';
  readonly bytesPerPage = TrackedPolicy.BASE_BYTES + TrackedPolicy.RELEASE_BYTES + 2 * IdLists.BYTES_PER_ID + 1;
  private readonly lists: IdLists;
  private readonly departed: IdLists;
  /** Per page: hits while in small (capped), or CLOCK's counter while in main. */
  private readonly hits: Uint8Array;
  private capacityNow = 0;
  private smallSize = 0;
  private mainSize = 0;
  private ghostSize = 0;
  private departedSize = 0;
  private smallReturns = 0;
  private mainReturns = 0;
  private ghostHit = false;

  constructor(context: PolicyContext) {
    super(context);
    this.allowReleases();
    this.lists = new IdLists(context.maxPages, 3);
    this.departed = new IdLists(context.maxPages, 2);
    this.hits = new Uint8Array(context.maxPages);
    this.setCapacity(context.maxPages);
  }

  override setCapacity(pages: number): void {
    super.setCapacity(pages);
    this.capacityNow = pages;
    this.smallSize = Math.floor(pages * 0.1);
    this.mainSize = pages - this.smallSize;
    this.ghostSize = this.mainSize;
    this.departedSize = Math.floor(pages / 10);
  }

  override notifyAccess(gfn: number, time: number): void {
    this.moveBoundary();
    super.notifyAccess(gfn, time);
  }

  protected touch(gfn: number): void {
    const max = this.lists.listOf[gfn] === MAIN ? CLOCK_MAX : 255;
    if (this.hits[gfn]! < max) this.hits[gfn]!++;
  }

  protected override onMiss(gfn: number): void {
    const { lists, departed } = this;
    this.ghostHit = lists.take(GHOST, gfn);
    const left = departed.listOf[gfn];
    if (left === LEFT_SMALL) this.smallReturns++;
    else if (left === LEFT_MAIN) this.mainReturns++;
    departed.remove(gfn);
  }

  protected admit(gfn: number): void {
    const { lists } = this;
    lists.remove(gfn); // a victim whose nomination failed comes back from the ghost
    this.hits[gfn] = 0;
    if (this.ghostHit) {
      // Into main as into a cache of main's size: its own victims first (not remembered as departed).
      while (lists.size(MAIN) > 0 && lists.size(MAIN) + 1 > this.mainSize) this.release(this.lists.sweepClock(MAIN, this.hits));
      lists.pushHead(MAIN, gfn);
    } else {
      lists.pushHead(SMALL, gfn);
    }
    this.ghostHit = false;
  }

  protected evict(): number {
    const { lists } = this;
    for (;;) {
      if (lists.size(SMALL) === 0) return this.evictMain();
      const gfn = lists.popTail(SMALL);
      if (this.hits[gfn] === 0) {
        lists.pushBounded(GHOST, gfn, this.ghostSize);
        this.depart(LEFT_SMALL, gfn);
        return gfn;
      }
      // Promoted: the cache loses pages only if main is now over its size.
      this.hits[gfn] = 0;
      lists.pushHead(MAIN, gfn);
      let victim = -1;
      while (lists.size(MAIN) > this.mainSize) {
        const out = this.evictMain();
        if (victim < 0) victim = out;
        else this.release(out);
      }
      if (victim >= 0) return victim;
    }
  }

  protected forget(gfn: number): void {
    this.lists.remove(gfn);
  }

  /** libCacheSim's `S3FIFOd_update_fifo_size`, run before every request. */
  private moveBoundary(): void {
    const step = Math.max(1, Math.floor(Math.min(this.smallSize, this.mainSize) / 1000));
    const enough = this.smallReturns + this.mainReturns > 100;
    const mainLeft = this.departed.size(LEFT_MAIN) > 0;
    if (!mainLeft) {
      this.smallReturns = 0;
      this.mainReturns = 0;
    }
    if (!(enough && mainLeft)) return;
    const floor = Math.floor(this.capacityNow / 100);
    if (this.smallReturns > this.mainReturns * 2) {
      if (this.mainSize > floor) this.shift(step);
    } else if (this.mainReturns > this.smallReturns * 2) {
      if (this.smallSize > floor) this.shift(-step);
    }
    this.smallReturns = Math.trunc(this.smallReturns * 0.8);
    this.mainReturns = Math.trunc(this.mainReturns * 0.8);
  }

  /** Moves `pages` of the cache from main to small (negative: back). */
  private shift(pages: number): void {
    this.smallSize += pages;
    this.ghostSize += pages;
    this.mainSize -= pages;
  }

  /** Main's victim, remembered as departed from main. */
  private evictMain(): number {
    const gfn = this.lists.sweepClock(MAIN, this.hits);
    if (gfn >= 0) this.depart(LEFT_MAIN, gfn);
    return gfn;
  }


  private depart(list: number, gfn: number): void {
    if (this.departed.listOf[gfn] === 0) this.departed.pushBounded(list, gfn, this.departedSize);
  }
}
