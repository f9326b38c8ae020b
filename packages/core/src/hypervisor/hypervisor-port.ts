import type { Observable } from 'rxjs';
import type { PageOfflineOp } from '../offline/page-offline-status.js';
import type { PvPort } from './pv-port.js';
import type { SharedRing } from '../ring/shared-ring.js';

/**
 * What the hypervisor reports about a domain (`xc_domain_getinfo`).
 *
 * @example
 * ```ts
 * const { totPages, maxPages, paging, pagingAbi } = hypervisor.domainInfo(domid);
 * ```
 */
export interface DomainInfo {
  /** The domain id. */
  readonly domid: number;
  /** Size of the guest-physical address space in pages: gfns are `[0, maxPages)`. */
  readonly maxPages: number;
  /** Pages the domain holds now (`tot_pages`): populated RAM, not counting paged-out gfns. */
  readonly totPages: number;
  /** Gfns paged out with no frame (`d->paged_pages`). */
  readonly pagedPages: number;
  /** Number of vcpus. */
  readonly vcpus: number;
  /** Whether the domain is HVM (paging is HVM-only). */
  readonly hvm: boolean;
  /** Whether a paging ring is enabled on the domain (a pager runs, or ran and did not disable it). */
  readonly paging?: boolean;
  /** The ABI its paging ring speaks, when paging is enabled. */
  readonly pagingAbi?: string;
}

/**
 * Who a machine frame belongs to ({@link HypervisorPort.frameOwner}).
 *
 * @example
 * ```ts
 * const owner = hypervisor.frameOwner?.(mfn); // { domid, gfn } or undefined
 * ```
 */
export interface FrameOwner {
  /** The owning domain. */
  readonly domid: number;
  /** The gfn the frame backs in it (its M2P entry), or -1. */
  readonly gfn: number;
}

/**
 * A paging ring set up by {@link HypervisorPort.enablePaging}.
 *
 * @example
 * ```ts
 * const channel = hypervisor.enablePaging(domid, 'vm_event/v7');
 * console.log(channel.port, channel.ring.slots);
 * ```
 */
export interface PagingChannel {
  /** The domain it pages. */
  readonly domid: number;
  /**
   * The ring page, viewed with the hypervisor's entry size; the pager owns its back end and views the
   * same page with the entry size of the ABI it speaks on the wire.
   */
  readonly ring: SharedRing;
  /** The event channel port, for diagnostics. */
  readonly port: number;
}

/**
 * A guest page mapped into the caller's address space (`xc_map_foreign_pages`).
 *
 * @example
 * ```ts
 * const mapping = hypervisor.mapForeign(domid, gfn, false);
 * const copy = mapping.bytes.slice();
 * hypervisor.unmapForeign(mapping);
 * ```
 */
export interface ForeignMapping {
  /** The domain whose page is mapped. */
  readonly domid: number;
  /** The gfn mapped. */
  readonly gfn: number;
  /** The machine frame behind it. */
  readonly mfn: number;
  /** Whether writes are allowed (a writable mapping also takes a type reference). */
  readonly writable: boolean;
  /**
   * The page's 4096 bytes, valid until {@link HypervisorPort.unmapForeign}; writes through a read-only
   * mapping are not seen by the guest.
   */
  readonly bytes: Uint8Array;
}

/**
 * The hypervisor as a pager drives it: the operations xenpaging used, as one interface.
 *
 * @remarks
 * A real Xen binding would implement this over libxc; `@pagevisor/testing`'s `SimHypervisor` implements
 * it over a simulated machine. Operations throw {@link HypervisorError} with Xen's errno as the code.
 * Which preconditions apply depends on the paging ABI the domain's ring was enabled with (its
 * {@link PagingProtocol}).
 *
 * @example
 * ```ts
 * const channel = hypervisor.enablePaging(domid, 'vm_event/v7');
 * hypervisor.nominate(domid, gfn);
 * const page = hypervisor.mapForeign(domid, gfn, false);
 * await store.writeBatch(Uint32Array.of(gfn), page.bytes, 1);
 * await store.flush();
 * hypervisor.unmapForeign(page);
 * hypervisor.evict(domid, gfn);
 * ```
 */
export interface HypervisorPort {
  /**
   * Facts about a domain.
   *
   * @throws {@link HypervisorError} `ESRCH` for an unknown domain.
   */
  domainInfo(domid: number): DomainInfo;
  /**
   * The paging ABI the hypervisor says it speaks, asked before enabling: vm_event's
   * `XEN_VM_EVENT_GET_VERSION` domctl (Xen 4.13 on, `vm_event_domctl`). Undefined when the hypervisor
   * has no such query (mem_event, and vm_event before 4.13): the pager must then be configured with the
   * ABI of the Xen it runs on, as xenpaging was built against that Xen's headers.
   */
  announcedPagingAbi(domid: number): string | undefined;
  /**
   * Sets up paging: creates the ring and the event channel. No upstream Xen compares the pager's ABI
   * with its own here (a pager that speaks another one reads entries it cannot decode, and vm_event
   * drops its responses); SUSE's tree refused another paging age with `ENOEXEC` ("Expected paging age
   * %lx, got %lx"). Also refuses with `ENODEV`, `EBUSY`, `EXDEV` or `EMLINK` as Xen did.
   *
   * @param abi - the ABI id the pager speaks on the ring (for SUSE's age check)
   */
  enablePaging(domid: number, abi: string): PagingChannel;
  /** Tears paging down (`EBUSY` while vcpus wait for ring slots). */
  disablePaging(domid: number): void;
  /** Nominates a gfn for eviction (`p2m_mem_paging_nominate`): ram → paging_out. */
  nominate(domid: number, gfn: number): void;
  /** Evicts a nominated gfn (`p2m_mem_paging_evict`): frees its frame, p2m → paged. */
  evict(domid: number, gfn: number): void;
  /**
   * Prepares a gfn for page-in (`p2m_mem_paging_prep`); with `buffer`, also loads its content (the
   * "load" variant, which paging age 1 lacks: there the pager writes through a writable mapping).
   */
  prep(domid: number, gfn: number, buffer?: Uint8Array): void;
  /**
   * Lets the hypervisor consume responses: the 4.1 `PAGING_RESUME` domctl (one response per call) or
   * the event-channel notification of 4.2+ (every pending response).
   */
  resume(domid: number): void;
  /** Maps a guest page (`ENOENT` while it is paged, after starting its page-in). */
  mapForeign(domid: number, gfn: number, writable: boolean): ForeignMapping;
  /** Drops a mapping made by {@link HypervisorPort.mapForeign}. */
  unmapForeign(mapping: ForeignMapping): void;
  /**
   * Event-channel notifications from the hypervisor to the pager: one emission per request pushed.
   * Hot and never replayed; completes when paging is disabled or the domain is destroyed.
   */
  notify$(domid: number): Observable<void>;
  /**
   * `XEN_SYSCTL_page_offline_op` on one frame (RELEASE-4.2.0 `xen/common/sysctl.c`, `page_alloc.c` `offline_page`): offline, online or query; returns the
   * status word ({@link PG_OFFLINE}, {@link PG_OFFLINE_QUERY}). Optional: only hypervisors that can
   * offline pages implement it.
   *
   * @throws {@link HypervisorError} `EINVAL` for an invalid frame (or online of a broken one), `EPERM`
   * for one of Xen's fixed frames (its text; a Xen-heap frame answers `XENPAGE | PENDING` instead)
   */
  pageOffline?(op: PageOfflineOp, mfn: number): number;
  /** PV operations (page tables, grants, `XENMEM_exchange`), for hypervisors that run PV guests. */
  readonly pv?: PvPort;
  /** The M2P entry of a frame: the domain that owns it and the gfn it backs, or undefined (free, Xen's). */
  frameOwner?(mfn: number): FrameOwner | undefined;
  /**
   * The domain's memory target in pages (the xenstore `memory/target-tot_pages` watch): emits the
   * current target on subscription, then every change. Completes when the domain is destroyed.
   */
  target$(domid: number): Observable<number>;
}
