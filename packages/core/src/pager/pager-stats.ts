import type { EvictFailReason } from './pager-events.js';

/**
 * A snapshot of a pager's counters, as `stats$` emits them.
 *
 * @example
 * ```ts
 * pager.stats$.subscribe(({ pagesOut, evictions, target }) => console.log(`${pagesOut} pages out now, ${evictions} evictions so far, target ${target}`));
 * ```
 */
export interface PagerStats {
  /** Pages out now (held in the store): a current count, which a graceful stop brings to 0. */
  readonly pagesOut: number;
  /** Pages brought back in since start. */
  readonly pagedIn: number;
  /** Evictions since start: a running total, counting a page each time it goes out. */
  readonly evictions: number;
  /** Page-in requests served (guest faults and foreign touches). */
  readonly faults: number;
  /**
   * Pages brought in without a fault: the backend's read-ahead and page-ins the pager asked for
   * (records flagged `PAGE_PREFETCHED`); counted in
   * {@link PagerStats.pagedIn} when they came in, never in {@link PagerStats.faults}.
   */
  readonly prefetched: number;
  /** DROP_PAGE requests answered. */
  readonly drops: number;
  /** Nominations or evictions the hypervisor refused (EBUSY, EAGAIN, EVICT_FAIL). */
  readonly evictFails: number;
  /** {@link PagerStats.evictFails} by why each failed. */
  readonly evictFailReasons: Readonly<Record<EvictFailReason, number>>;
  /** Pages kept resident because the store failed to write them. */
  readonly storeWriteErrors: number;
  /**
   * Pages that came in as zeros without the store (first touches, pages evicted as zeros), on a
   * backend whose pages start absent or that maps zero pages itself (userfaultfd).
   */
  readonly zeroFills: number;
  /** Evictions of pages of zeros, which no store was given (counted in {@link PagerStats.evictions} too). */
  readonly zeroEvictions: number;
  /**
   * Evictions of clean pages on a backend with dirty tracking: the store still held the bytes they
   * came in with, so nothing was copied or written (counted in {@link PagerStats.evictions} too).
   */
  readonly cleanEvictions: number;
  /**
   * Accesses to resident pages the backend reported beyond faults (its `capabilities.accesses` is
   * `sampled` or `every`), each told to the policy with `notifyAccess`.
   */
  readonly accessesSeen: number;
  /** The domain's target in pages. */
  readonly target: number;
  /** Pages the domain holds now (`tot_pages`). */
  readonly totalPages: number;
  /** Bytes the store uses. */
  readonly storeBytes: number;
  /** Evictions per second since the previous snapshot. */
  readonly evictionsPerSecond: number;
  /** Faults served per second since the previous snapshot. */
  readonly faultsPerSecond: number;
}
