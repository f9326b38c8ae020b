import type { PolicyContext } from '@pagevisor/core';
import { IdLists } from '../internal/id-lists.js';
import { TrackedPolicy } from './tracked-policy.js';

const SMALL = 1;
const MAIN = 2;
const GHOST = 3;
const FREQ_CAP = 3; // every rule compares with 1 or 2 or takes min(freq, 3)

/**
 * S3-FIFO (policies.md §3.6, libCacheSim's defaults): a small FIFO of 10% of the cache for new pages, a
 * main FIFO, and a ghost FIFO of 90% of the cache's size in ids. A page hit twice while in small moves
 * to main; main reinserts pages hit since they were last looked at.
 *
 * @remarks
 * Unlike libCacheSim, whose small queue admits nothing below a cache of 20 pages, small always has at
 * least one slot, so every size admits.
 *
 * @example
 * ```ts
 * simulateTrace(ids, distinct, (ctx) => new S3FifoPolicy(ctx), 1000).misses;
 * ```
 */
export class S3FifoPolicy extends TrackedPolicy {
  readonly name = 's3fifo';
  readonly bytesPerPage = TrackedPolicy.BASE_BYTES + IdLists.BYTES_PER_ID + 1;
  private readonly lists: IdLists;
  private readonly freq: Uint8Array;
  private smallSize = 1;
  private mainSize = 0;
  private ghostSize = 0;
  private ghostHit = false;

  constructor(context: PolicyContext) {
    super(context);
    this.lists = new IdLists(context.maxPages, 3);
    this.freq = new Uint8Array(context.maxPages);
    this.setCapacity(context.maxPages);
  }

  override setCapacity(pages: number): void {
    super.setCapacity(pages);
    this.smallSize = Math.max(1, Math.floor(pages * 0.1));
    this.mainSize = pages - this.smallSize;
    this.ghostSize = Math.floor(pages * 0.9);
  }

  protected touch(gfn: number): void {
    if (this.freq[gfn]! < FREQ_CAP) this.freq[gfn]!++;
  }

  protected override onMiss(gfn: number): void {
    this.ghostHit = this.lists.take(GHOST, gfn);
  }

  protected admit(gfn: number): void {
    this.lists.remove(gfn); // a victim whose nomination failed comes back from the ghost
    this.freq[gfn] = 0;
    this.lists.pushHead(this.ghostHit ? MAIN : SMALL, gfn);
    this.ghostHit = false;
  }

  protected evict(): number {
    const { lists } = this;
    for (;;) {
      if (lists.size(SMALL) + lists.size(MAIN) === 0) return -1;
      const victim = lists.size(MAIN) > this.mainSize || lists.size(SMALL) === 0 ? this.lists.sweepClock(MAIN, this.freq) : this.evictSmall();
      if (victim >= 0) return victim;
    }
  }

  protected forget(gfn: number): void {
    this.lists.remove(gfn);
  }

  /** Oldest small pages hit twice move to main (freq reset); the first other one is evicted to the ghost. */
  private evictSmall(): number {
    const { lists, freq } = this;
    for (let gfn = lists.tail(SMALL); gfn >= 0; gfn = lists.tail(SMALL)) {
      lists.remove(gfn);
      if (freq[gfn]! >= 2) {
        freq[gfn] = 0;
        lists.pushHead(MAIN, gfn);
        continue;
      }
      lists.pushBounded(GHOST, gfn, this.ghostSize);
      return gfn;
    }
    return -1;
  }
}
