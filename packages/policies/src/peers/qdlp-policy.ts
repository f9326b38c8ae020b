import type { PolicyContext } from '@pagevisor/core';
import { IdLists } from '../internal/id-lists.js';
import { TrackedPolicy } from '../classic/tracked-policy.js';

const PROBATION = 1;
const MAIN = 2;
const GHOST = 3;
/** CLOCK-2's counter tops out at 3 (two bits). */
const CLOCK_MAX = 3;

/**
 * QD-LP, "quick demotion, lazy promotion" (Yang et al., "FIFO Can Be Better than LRU: the Power of
 * Lazy Promotion and Quick Demotion", HotOS 2023): new pages enter a probation FIFO of 10% of the
 * cache; one hit there while it holds them moves them, when they reach its end, into the main cache, a
 * CLOCK with two-bit counters; others leave, remembered in a ghost FIFO of ids (90% of the cache), and
 * a miss on a remembered page brings it straight into main. libCacheSim's `QDLP` with its defaults,
 * `QDLP-0.1000-0.9000-Clock2-1` (libCacheSim/cache/eviction/QDLP.c), matched exactly, including main
 * being a cache of its own size: a page entering a full main pushes main's victim out.
 *
 * @example
 * ```ts
 * simulateTrace(ids, distinct, (ctx) => new QdlpPolicy(ctx), 1000).misses;
 * ```
 */
export class QdlpPolicy extends TrackedPolicy {
  readonly name = 'qdlp';
  readonly bytesPerPage = TrackedPolicy.BASE_BYTES + TrackedPolicy.RELEASE_BYTES + IdLists.BYTES_PER_ID + 2;
  private readonly lists: IdLists;
  /** Per page: hits while in probation (capped), or CLOCK's counter while in main. */
  private readonly hits: Uint8Array;
  private probationSize = 0;
  private mainSize = 0;
  private ghostSize = 0;
  private ghostHit = false;

  constructor(context: PolicyContext) {
    super(context);
    this.allowReleases();
    this.lists = new IdLists(context.maxPages, 3);
    this.hits = new Uint8Array(context.maxPages);
    this.setCapacity(context.maxPages);
  }

  override setCapacity(pages: number): void {
    super.setCapacity(pages);
    this.probationSize = Math.floor(pages * 0.1);
    this.mainSize = pages - this.probationSize;
    this.ghostSize = Math.floor(pages * 0.9);
  }

  protected touch(gfn: number): void {
    const max = this.lists.listOf[gfn] === MAIN ? CLOCK_MAX : 255;
    if (this.hits[gfn]! < max) this.hits[gfn]!++;
  }

  protected override onMiss(gfn: number): void {
    this.ghostHit = this.lists.take(GHOST, gfn);
  }

  protected admit(gfn: number): void {
    this.lists.remove(gfn); // a victim whose nomination failed comes back from the ghost
    if (this.ghostHit) {
      const pushedOut = this.intoMain(gfn);
      if (pushedOut >= 0) this.release(pushedOut);
    } else {
      this.hits[gfn] = 0;
      this.lists.pushHead(PROBATION, gfn);
    }
    this.ghostHit = false;
  }

  protected evict(): number {
    const { lists } = this;
    for (;;) {
      if (lists.size(PROBATION) === 0) return this.lists.sweepClock(MAIN, this.hits);
      const gfn = lists.popTail(PROBATION);
      if (this.hits[gfn] === 0) {
        lists.pushBounded(GHOST, gfn, this.ghostSize);
        return gfn;
      }
      // Promoted: the cache loses a page only if main was full.
      const pushedOut = this.intoMain(gfn);
      if (pushedOut >= 0) return pushedOut;
    }
  }

  protected forget(gfn: number): void {
    this.lists.remove(gfn);
  }

  /** Inserts `gfn` into main (its counter at 0), after main's victim if main is full; returns that victim, or -1. */
  private intoMain(gfn: number): number {
    const pushedOut = this.lists.size(MAIN) > 0 && this.lists.size(MAIN) >= this.mainSize ? this.lists.sweepClock(MAIN, this.hits) : -1;
    this.hits[gfn] = 0;
    this.lists.pushHead(MAIN, gfn);
    return pushedOut;
  }
}
