import type { Subject } from 'rxjs';
import type { PagingBackend } from '../../backend/paging-backend.js';
import type { ResolvedPagerConfig } from '../../pager/pager-config.js';
import type { EvictFailReason, PagerEvent } from '../../pager/pager-events.js';
import type { VictimPolicy } from '../../policy/victim-policy.js';
import type { PageStore } from '../../store/page-store.js';

export { PAGE_BYTES } from '../../page-bytes.js';
/** `out[gfn]`: the pager holds the gfn's content in the store and the gfn is paged out. */
export const OUT = 1;
/**
 * `out[gfn]` on a backend with dirty tracking: the gfn is resident and the store still holds the copy
 * it was paged in from, so evicting it while it is clean writes nothing.
 */
export const HELD = 2;

/** Counters of one pager. */
export interface PagerCounters {
  pagedIn: number;
  evictions: number;
  faults: number;
  drops: number;
  evictFails: number;
  /** Pages that came in as zeros (first touches, pages evicted as zeros) and pages evicted as zeros. */
  zeroFills: number;
  /** Pages brought in from the store without a fault (records flagged PAGE_PREFETCHED). */
  prefetched: number;
  zeroEvictions: number;
  cleanEvictions: number;
  /** Accesses to resident pages the backend reported (drainAccesses). */
  accessesSeen: number;
  readonly evictFailReasons: Record<EvictFailReason, number>;
  storeWriteErrors: number;
}

/** Zeroed counters. */
export function newPagerCounters(): PagerCounters {
  return { pagedIn: 0, evictions: 0, faults: 0, drops: 0, evictFails: 0, zeroFills: 0, prefetched: 0, zeroEvictions: 0, cleanEvictions: 0, accessesSeen: 0, evictFailReasons: { nominate: 0, evict: 0, store: 0, accessed: 0 }, storeWriteErrors: 0 };
}

/**
 * The state a pager's page-in and eviction halves share: the plugins, the ring, the one byte per gfn
 * saying which pages are out, the counters and the event subject.
 */
export class PagerContext {
  /** 1 byte per gfn: {@link OUT} for pages this pager holds out, {@link HELD} for resident ones whose copy the store keeps. */
  readonly out: Uint8Array;
  /** Pages out now. */
  outCount = 0;
  /** Counters for `stats$`. */
  readonly counters: PagerCounters = newPagerCounters();
  /** gfns {@link PagerContext.forget} has forgotten (DROP_PAGE or lost drops). */
  forgotten = 0;
  /** Pages per page-in batch: the backend's `maxBatch`. */
  readonly maxBatch: number;

  constructor(
    readonly backend: PagingBackend,
    readonly config: ResolvedPagerConfig,
    readonly policy: VictimPolicy,
    readonly store: PageStore,
    readonly events: Subject<PagerEvent>,
    readonly maxPages: number,
  ) {
    this.out = new Uint8Array(maxPages);
    this.maxBatch = backend.capabilities.maxBatch;
    // Pages not yet in memory are not resident to the policy either: it must not pick them.
    if (backend.capabilities.startsAbsent) for (let page = 0; page < maxPages; page++) policy.notifyPagedOut(page);
  }

  /** Pages out before this pager started (each below `maxPages`), their contents in its store: out, as if it had evicted them. */
  adoptOut(gfns: Uint32Array): void {
    for (const gfn of gfns) {
      if (this.out[gfn] === OUT) continue;
      this.out[gfn] = OUT;
      this.outCount++;
      this.policy.notifyPagedOut(gfn);
    }
  }

  /** The guest dropped `gfn` (DROP_PAGE, or one that was lost): it is no longer out. */
  forget(gfn: number): void {
    this.out[gfn] = 0;
    this.outCount--;
    this.forgotten++;
    this.policy.notifyDropped(gfn);
    if (this.config.pageEvents) this.events.next({ type: 'page.dropped', gfn });
  }
}
