import type { PolicyContext } from '@pagevisor/core';
import { IdLists } from '../internal/id-lists.js';
import { XorShift32 } from '../internal/xorshift32.js';
import { TrackedPolicy } from '../classic/tracked-policy.js';

const QUEUE = 1;
/** Pages weighed per scan, and how many of them stay (libCacheSim's `n-exam` and `n-keep` defaults). */
const EXAMINED = 100;
const KEPT = EXAMINED / 2;
/** A power of two above EXAMINED: a scanned page's index fits below it in its sort key. */
const SCAN_SLOTS = 128;

/**
 * FIFO-Merge (Yang et al., "FIFO Queues Are All You Need for Cache Eviction", SOSP 2023, the
 * segment-merge idea on one FIFO): a hand walks the FIFO from its oldest end 100 pages at a time and
 * weighs each by its hits (plus a random fraction below 0.1 to break ties); the lighter half goes, one
 * page per eviction, the rest stay where they are. libCacheSim's `FIFO_Merge` with its defaults,
 * `FIFO_Merge_FREQUENCY` (libCacheSim/cache/eviction/FIFO_Merge.c: 49 of every 100 evicted, plain FIFO
 * while the cache holds 100 pages or fewer), matched in distribution: the tie-breaking draws come from a
 * seeded xorshift.
 *
 * @example
 * ```ts
 * simulateTrace(ids, distinct, (ctx) => new FifoMergePolicy(ctx), 1000).misses;
 * ```
 */
export class FifoMergePolicy extends TrackedPolicy {
  readonly name = 'fifo-merge';
  readonly bytesPerPage = TrackedPolicy.BASE_BYTES + IdLists.BYTES_PER_ID + 4;
  private readonly lists: IdLists;
  private readonly hits: Uint32Array;
  /** The last scan's pages, and where the evictions are in its order. */
  private readonly scanned = new Int32Array(EXAMINED);
  /** The last scan's order, lightest first: each page's weight and its index in `scanned` (see `scan`). */
  private readonly order = new Float64Array(EXAMINED);
  private next = EXAMINED;
  /** Where the next scan starts (toward newer pages), or -1 for the oldest. */
  private hand = -1;
  private readonly draws: XorShift32;

  constructor(context: PolicyContext) {
    super(context);
    this.lists = new IdLists(context.maxPages, 1);
    this.hits = new Uint32Array(context.maxPages);
    this.draws = new XorShift32(context.seed);
  }

  protected touch(gfn: number): void {
    this.hits[gfn]!++;
  }

  protected admit(gfn: number): void {
    this.hits[gfn] = 0;
    this.lists.pushHead(QUEUE, gfn);
  }

  protected evict(): number {
    const { lists } = this;
    while (this.next < EXAMINED) {
      const gfn = this.scanned[this.order[this.next++]! % SCAN_SLOTS]!;
      if (this.next >= EXAMINED - KEPT) break; // the rest of this scan stays
      if (lists.listOf[gfn] === QUEUE) return this.take(gfn); // (live: a page forgotten since the scan is passed)
    }
    if (lists.size(QUEUE) <= EXAMINED) {
      this.hand = -1;
      return lists.popTail(QUEUE);
    }
    this.scan();
    this.next = 1;
    return this.take(this.scanned[this.order[0]! % SCAN_SLOTS]!);
  }

  protected forget(gfn: number): void {
    if (gfn === this.hand) this.hand = this.lists.prev[gfn]!;
    this.lists.remove(gfn);
  }

  /** Weighs the next 100 pages from the hand toward newer ones (round to the oldest), lightest first. */
  private scan(): void {
    const { lists, scanned, order } = this;
    let gfn = this.hand;
    for (let i = 0; i < EXAMINED; i++) {
      if (gfn < 0) gfn = lists.tail(QUEUE);
      scanned[i] = gfn;
      // libCacheSim weighs a page 1e6 × (hits + draw / 10000) with a draw below 1000: ordered as the
      // whole number hits × 1000 + draw, exact in a double for any 32-bit hit count even times
      // SCAN_SLOTS, with the index below it so that equal weights keep scan order, as a stable sort does.
      order[i] = ((this.hits[gfn]! * 1000 + (this.draws.next() % 1000)) * SCAN_SLOTS) + i;
      gfn = lists.prev[gfn]!;
    }
    this.hand = gfn;
    order.sort();
  }

  private take(gfn: number): number {
    if (gfn === this.hand) this.hand = this.lists.prev[gfn]!;
    this.lists.remove(gfn);
    return gfn;
  }
}
