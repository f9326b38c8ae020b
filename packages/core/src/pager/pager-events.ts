import type { StopReport } from './stop-report.js';

/** The pager enabled paging and is serving the ring. */
export interface PagerStartedEvent {
  /** Discriminant. */
  readonly type: 'pager.started';
  /** The ABI on the ring. */
  readonly abi: string;
  /** The domain's size in pages. */
  readonly maxPages: number;
}

/** The domain's memory target changed (a target of 0 or above max means max). */
export interface TargetChangedEvent {
  /** Discriminant. */
  readonly type: 'target.changed';
  /** The new target in pages. */
  readonly target: number;
}

/** One eviction batch finished. */
export interface EvictBatchEvent {
  /** Discriminant. */
  readonly type: 'evict.batch';
  /** Pages evicted. */
  readonly evicted: number;
  /** Pages the hypervisor refused (nominate or evict). */
  readonly failed: number;
}

/** One batch of ring requests was answered. */
export interface PageInBatchEvent {
  /** Discriminant. */
  readonly type: 'pagein.batch';
  /** Pages brought back in. */
  readonly pagedIn: number;
  /** Pages dropped by the guest (DROP_PAGE). */
  readonly dropped: number;
  /** Requests answered (every request is). */
  readonly answered: number;
}

/** Per-page event (with `pageEvents: true`): what happened to one gfn. */
export interface PageEvent {
  /** Discriminant: evicted, paged back in, or dropped by the guest. */
  readonly type: 'page.evicted' | 'page.populated' | 'page.dropped';
  /** The gfn. */
  readonly gfn: number;
}

/** Per-page event (with `pageEvents: true`): a page that could not be evicted and stays resident. */
export interface EvictFailedEvent {
  /** Discriminant. */
  readonly type: 'evict.failed';
  /** The gfn. */
  readonly gfn: number;
  /** Which step refused it (`accessed`: the policy saw the guest touch it after nomination, seed 003). */
  readonly reason: 'nominate' | 'evict' | 'store' | 'accessed';
}

/** The store failed to write a batch; its pages stay resident. */
export interface StoreWriteFailedEvent {
  /** Discriminant. */
  readonly type: 'store.write-failed';
  /** Pages in the batch. */
  readonly pages: number;
  /** The store's error. */
  readonly error: unknown;
}

/** The store failed to read a batch; the pager retries up to `readAttempts` times, then stops. */
export interface StoreReadFailedEvent {
  /** Discriminant. */
  readonly type: 'store.read-failed';
  /** Pages in the batch. */
  readonly pages: number;
  /** Which attempt failed, from 1. */
  readonly attempt: number;
  /** The store's error. */
  readonly error: unknown;
}

/** The pager stopped; the last event before `events$` completes. */
export interface PagerStoppedEvent {
  /** Discriminant. */
  readonly type: 'pager.stopped';
  /** How it stopped and how many pages are still out. */
  readonly report: StopReport;
}

/**
 * Everything a pager reports on `events$`, as a discriminated union on `type`.
 *
 * Batch and lifecycle events are always emitted; per-page events (`page.*`, `evict.failed`) only with
 * `pageEvents: true`, since the hot path allocates nothing per page otherwise.
 */
export type PagerEvent =
  | PagerStartedEvent
  | TargetChangedEvent
  | EvictBatchEvent
  | PageInBatchEvent
  | PageEvent
  | EvictFailedEvent
  | StoreWriteFailedEvent
  | StoreReadFailedEvent
  | PagerStoppedEvent;

/** The `type` of every {@link PagerEvent}. */
export type PagerEventType = PagerEvent['type'];
