import type { StopReport } from './stop-report.js';

/**
 * Everything a pager reports on `events$`, as a discriminated union on `type`.
 *
 * Batch and lifecycle events are always emitted; per-page events (`page.*`, `evict.failed`) only with
 * `pageEvents: true`, since the hot path allocates nothing per page otherwise.
 */
export type PagerEvent =
  | { readonly type: 'pager.started'; readonly abi: string; readonly maxPages: number }
  | { readonly type: 'target.changed'; readonly target: number }
  | { readonly type: 'evict.batch'; readonly evicted: number; readonly failed: number }
  | { readonly type: 'pagein.batch'; readonly pagedIn: number; readonly dropped: number; readonly answered: number }
  | { readonly type: 'page.evicted'; readonly gfn: number }
  | { readonly type: 'page.populated'; readonly gfn: number }
  | { readonly type: 'page.dropped'; readonly gfn: number }
  | { readonly type: 'evict.failed'; readonly gfn: number; readonly reason: 'nominate' | 'evict' | 'store' }
  | { readonly type: 'store.write-failed'; readonly pages: number; readonly error: unknown }
  | { readonly type: 'store.read-failed'; readonly pages: number; readonly attempt: number; readonly error: unknown }
  | { readonly type: 'pager.stopped'; readonly report: StopReport };

/** The `type` of every {@link PagerEvent}. */
export type PagerEventType = PagerEvent['type'];
