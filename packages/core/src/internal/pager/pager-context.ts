import type { Subject } from 'rxjs';
import type { AbiAdapter } from '../../abi/abi-adapter.js';
import type { NegotiatedAbi } from '../../abi/abi-registry.js';
import type { PagingAbi } from '../../abi/paging-abi.js';
import { isPagevisorError } from '../../errors/pagevisor-error.js';
import type { HypervisorPort } from '../../hypervisor/hypervisor-port.js';
import type { ResolvedPagerConfig } from '../../pager/pager-config.js';
import type { EvictFailReason, PagerEvent } from '../../pager/pager-events.js';
import type { VictimPolicy } from '../../policy/victim-policy.js';
import type { BackRing } from '../../ring/back-ring.js';
import type { PageStore } from '../../store/page-store.js';

/** Bytes in a page. */
export const PAGE_BYTES = 4096;
/** `out[gfn]`: the pager holds the gfn's content in the store and the gfn is paged out. */
export const OUT = 1;

/** Counters of one pager. */
export interface PagerCounters {
  pagedIn: number;
  evictions: number;
  faults: number;
  drops: number;
  evictFails: number;
  readonly evictFailReasons: Record<EvictFailReason, number>;
  storeWriteErrors: number;
}

/** Zeroed counters. */
export function newPagerCounters(): PagerCounters {
  return { pagedIn: 0, evictions: 0, faults: 0, drops: 0, evictFails: 0, evictFailReasons: { nominate: 0, evict: 0, store: 0, accessed: 0 }, storeWriteErrors: 0 };
}

/**
 * The state a pager's page-in and eviction halves share: the plugins, the ring, the one byte per gfn
 * saying which pages are out, the counters and the event subject.
 */
export class PagerContext {
  /** 1 byte per gfn: {@link OUT} for pages this pager holds out. */
  readonly out: Uint8Array;
  /** Pages out now. */
  outCount = 0;
  /** Counters for `stats$`. */
  readonly counters: PagerCounters = newPagerCounters();
  /** The ABI on the ring: its codec reads and writes entries, its protocol is the hypervisor's behaviour. */
  readonly abi: PagingAbi;
  /** The ABI of the messages the pager handles: `abi`, or the one `adapter` translates to. */
  readonly pagerAbi: PagingAbi;
  /** Translates ring messages to the pager's ABI and back; undefined when they are the same. */
  readonly adapter: AbiAdapter | undefined;

  constructor(
    readonly hypervisor: HypervisorPort,
    readonly config: ResolvedPagerConfig,
    readonly policy: VictimPolicy,
    readonly store: PageStore,
    readonly events: Subject<PagerEvent>,
    negotiated: NegotiatedAbi,
    readonly back: BackRing,
    readonly maxPages: number,
  ) {
    this.out = new Uint8Array(maxPages);
    this.abi = negotiated.wire;
    this.pagerAbi = negotiated.pager;
    this.adapter = negotiated.adapter;
  }

  /** The guest dropped `gfn` (DROP_PAGE, or one that was lost): it is no longer out. */
  forget(gfn: number): void {
    this.out[gfn] = 0;
    this.outCount--;
    this.policy.notifyDropped(gfn);
    if (this.config.pageEvents) this.events.next({ type: 'page.dropped', gfn });
  }
}

/** Refusals a pager absorbs (the page stays where it is); anything else is a bug or a dead hypervisor. */
export function isRefusal(error: unknown): boolean {
  return isPagevisorError(error, 'EBUSY') || isPagevisorError(error, 'EAGAIN') || isPagevisorError(error, 'ENOENT') || isPagevisorError(error, 'EINVAL');
}
