import type { StopReport } from './stop-report.js';

/**
 * The pager opened its backend (Xen: enabled paging) and is serving faults.
 *
 * @example
 * ```ts
 * pager.events$.subscribe((e) => { if (e.type === 'pager.started') console.log(e.abi, e.maxPages); });
 * ```
 */
export interface PagerStartedEvent {
  /** Discriminant. */
  readonly type: 'pager.started';
  /** The backend's kind (`xen`, ...). */
  readonly backend: string;
  /** Xen: the ABI on the ring. */
  readonly abi?: string;
  /** Xen: the ABI the pager speaks, `abi` or another one an adapter bridges to it. */
  readonly pagerAbi?: string;
  /**
   * Xen: where `abi` came from: `announced` by the hypervisor (vm_event `XEN_VM_EVENT_GET_VERSION`, Xen
   * 4.13 on), or `configured`: the first of the pager's `abi` setting, for a Xen that cannot say.
   */
  readonly abiSource?: 'announced' | 'configured';
  /** The page space's size in pages. */
  readonly maxPages: number;
}

/**
 * The domain's memory target changed (a target of 0 or above max means max).
 *
 * @example
 * ```ts
 * pager.events$.subscribe((e) => { if (e.type === 'target.changed') console.log(e.target); });
 * ```
 */
export interface TargetChangedEvent {
  /** Discriminant. */
  readonly type: 'target.changed';
  /** The new target in pages. */
  readonly target: number;
}

/**
 * One eviction batch finished.
 *
 * @example
 * ```ts
 * pager.events$.pipe(filter((e): e is BatchEvictedEvent => e.type === 'batch.evicted')).subscribe((e) => console.log(e.evicted, e.failed));
 * ```
 */
export interface BatchEvictedEvent {
  /** Discriminant. */
  readonly type: 'batch.evicted';
  /** Pages evicted. */
  readonly evicted: number;
  /** Pages the hypervisor refused (nominate or evict). */
  readonly failed: number;
}

/**
 * One batch of ring requests was answered.
 *
 * @example
 * ```ts
 * pager.events$.subscribe((e) => { if (e.type === 'batch.paged-in') console.log(e.pagedIn); });
 * ```
 */
export interface BatchPagedInEvent {
  /** Discriminant. */
  readonly type: 'batch.paged-in';
  /** Pages brought back in. */
  readonly pagedIn: number;
  /** Pages dropped by the guest (DROP_PAGE). */
  readonly dropped: number;
  /** Requests answered (every request is). */
  readonly answered: number;
}

/**
 * A page-in found no memory (Xen: no free machine frame, `prep` failed with `ENOMEM`): its requests are held back,
 * their vcpus stay paused, and it is tried again after `retryInMs` (doubling each time, up to 8 times `retryIntervalMs`); after 8 tries
 * the pager stops with a `PagerError` `PAGER_NO_MEMORY` and the pages stay out, in the store.
 * @example
 * ```ts
 * pager.events$.subscribe((e) => { if (e.type === 'batch.delayed') console.warn(`no memory for ${e.pages} pages, retry in ${e.retryInMs} ms`); });
 * ```
 */
export interface BatchDelayedEvent {
  /** Discriminant. */
  readonly type: 'batch.delayed';
  /** Requests held back. */
  readonly pages: number;
  /** Which try this was, from 1. */
  readonly attempt: number;
  /** When the next try is, in ms. */
  readonly retryInMs: number;
}

/**
 * Per-page event (with `pageEvents: true`): what happened to one gfn.
 *
 * @example
 * ```ts
 * createPager({ hypervisor, domid, policy, store, config: { pageEvents: true } }).events$.subscribe((e) => { if (e.type === 'page.evicted') console.log(e.gfn); });
 * ```
 */
export interface PageEvent {
  /** Discriminant: evicted, paged back in, or dropped by the guest. */
  readonly type: 'page.evicted' | 'page.populated' | 'page.dropped';
  /** The gfn. */
  readonly gfn: number;
}

/**
 * Per-page event (with `pageEvents: true`): a page that could not be evicted and stays resident.
 *
 * @example
 * ```ts
 * pager.events$.subscribe((e) => { if (e.type === 'page.evict-failed') console.log(e.gfn, e.reason); });
 * ```
 */
export interface PageEvictFailedEvent {
  /** Discriminant. */
  readonly type: 'page.evict-failed';
  /** The gfn. */
  readonly gfn: number;
  /** Which step refused it (see {@link EvictFailReason}). */
  readonly reason: EvictFailReason;
}

/**
 * Why an eviction failed: `nominate`, the hypervisor refused to nominate the gfn (not RAM, mapped,
 * already paging); `evict`, it refused the eviction (the page was mapped or touched since nomination);
 * `store`, the store failed to write it; `accessed`, the policy saw the guest touch it after
 * nomination (seed 003). The page stays resident in every case.
 *
 * @example
 * ```ts
 * const { nominate, evict, store, accessed } = pager.stats.evictFailReasons;
 * ```
 */
export type EvictFailReason = 'nominate' | 'evict' | 'store' | 'accessed';

/**
 * The store failed to write a batch; its pages stay resident.
 *
 * @example
 * ```ts
 * pager.events$.subscribe((e) => { if (e.type === 'store.write-failed') console.log(e.pages, e.error); });
 * ```
 */
export interface StoreWriteFailedEvent {
  /** Discriminant. */
  readonly type: 'store.write-failed';
  /** Pages in the batch. */
  readonly pages: number;
  /** The store's error. */
  readonly error: unknown;
}

/**
 * The store failed to read a batch; the pager retries up to `readAttempts` times, then stops.
 *
 * @example
 * ```ts
 * pager.events$.subscribe((e) => { if (e.type === 'store.read-failed') console.log(e.error); });
 * ```
 */
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

/**
 * The pager stopped; the last event before `events$` completes.
 *
 * @example
 * ```ts
 * pager.events$.subscribe((e) => { if (e.type === 'pager.stopped') console.log(e.report.pagesOut); });
 * ```
 */
export interface PagerStoppedEvent {
  /** Discriminant. */
  readonly type: 'pager.stopped';
  /** How it stopped and how many pages are still out. */
  readonly report: StopReport;
}

/**
 * Everything a pager reports on `events$`, as a discriminated union on `type`.
 *
 * Every type reads `<subject>.<what happened to it>`, the subject one of `pager`, `target`, `batch`,
 * `page` and `store`: `batch.evicted`, `page.evict-failed`, `store.read-failed`. Lifecycle and batch
 * events are always emitted; per-page events (`page.*`) only with `pageEvents: true`, since the hot
 * path allocates nothing per page otherwise.
 *
 * @example
 * ```ts
 * pager.events$.subscribe((event: PagerEvent) => console.log(event.type));
 * ```
 */
export type PagerEvent =
  | PagerStartedEvent
  | TargetChangedEvent
  | BatchEvictedEvent
  | BatchPagedInEvent
  | BatchDelayedEvent
  | PageEvent
  | PageEvictFailedEvent
  | StoreWriteFailedEvent
  | StoreReadFailedEvent
  | PagerStoppedEvent;

/**
 * The `type` of every {@link PagerEvent}.
 *
 * @example
 * ```ts
 * const wanted: PagerEventType[] = ['batch.evicted', 'batch.paged-in'];
 * ```
 */
export type PagerEventType = PagerEvent['type'];
