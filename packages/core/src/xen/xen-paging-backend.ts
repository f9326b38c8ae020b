import type { Observable } from 'rxjs';
import type { AbiRegistry, NegotiatedAbi } from '../abi/abi-registry.js';
import type { PagingMessage, VmEventMessage } from '../abi/paging-message.js';
import type { PagingProtocol } from '../abi/paging-protocol.js';
import {
  EVICT_DONE,
  EVICT_REFUSED,
  EVICT_SKIP,
  PAGE_IN_GONE,
  PAGE_IN_REQUESTED,
  POPULATED,
  POPULATE_GONE,
  POPULATE_NO_MEMORY,
  type BackendCapabilities,
  type BackendInfo,
  type FaultBatch,
  type PagingBackend,
} from '../backend/paging-backend.js';
import { HypervisorError } from '../errors/hypervisor-error.js';
import { isPagevisorError } from '../errors/is-pagevisor-error.js';
import { PageViews } from '../internal/xen/page-views.js';
import type { ForeignMapping, HypervisorPort } from '../hypervisor/hypervisor-port.js';
import { XenRequestTable } from '../internal/xen/xen-request-table.js';
import { BackRing } from '../ring/back-ring.js';
import { SharedRing } from '../ring/shared-ring.js';

import { PAGE_BYTES } from '../page-bytes.js';

/**
 * What {@link XenPagingBackend} needs.
 *
 * @example
 * ```ts
 * new XenPagingBackend({ hypervisor, domid: 1, abi: ['vm_event/v7'], abiRegistry: createDefaultAbiRegistry() });
 * ```
 */
export interface XenPagingBackendOptions {
  /** The Xen port: a libxenctrl binding, or `SimHypervisor` from `@pagevisor/testing`. */
  readonly hypervisor: HypervisorPort;
  /** The domain to page. */
  readonly domid: number;
  /** The ABIs the pager speaks, most preferred first (on a Xen that cannot announce its own, the first is spoken). */
  readonly abi: readonly string[];
  /** The ABIs and adapters known. */
  readonly abiRegistry: AbiRegistry;
}

/** Refusals Xen answers paging calls with (the page stays where it is); anything else is a bug or a dead hypervisor. */
function isRefusal(error: unknown): boolean {
  return isPagevisorError(error, 'EBUSY') || isPagevisorError(error, 'EAGAIN') || isPagevisorError(error, 'ENOENT') || isPagevisorError(error, 'EINVAL');
}

/**
 * The {@link PagingBackend.memoryName} of Xen domain `domid`: `dom<domid>`, as `xl` names a domain's
 * console and the seeds' logs name the guest.
 *
 * @example
 * ```ts
 * xenMemoryName(7); // 'dom7': the pagefile store's default file is dom7.pagefile
 * ```
 */
export function xenMemoryName(domid: number): string {
  return `dom${domid}`;
}

/**
 * The Xen backend: a domain paged through Xen's paging ring and domctls, as xenpaging drove them, for
 * every paging ABI (`mem_event/4.0` … `vm_event/v7`).
 *
 * @remarks
 * Everything Xen is here: ABI negotiation (`XEN_VM_EVENT_GET_VERSION` from 4.13, otherwise the first
 * configured ABI), the ring and its codecs, the adapter between two vm_event versions, each era's rules
 * (nominate with the pager's mapping first for ages 2 and 3, prep with a buffer or through a writable
 * mapping on 4.0 and 4.1, one response per resume domctl before 4.2, the scrub 4.1's evict lacked), and
 * the recovery of requests Xen would otherwise leave hanging (EVICT_FAIL on vm_event v2+).
 *
 * @example
 * ```ts
 * import { createDefaultAbiRegistry, createPager, XenPagingBackend } from '@pagevisor/core';
 * const backend = new XenPagingBackend({ hypervisor, domid: 1, abi: ['vm_event/v7'], abiRegistry: createDefaultAbiRegistry() });
 * const pager = createPager({ backend, policy: xenpaging(), store: memoryStore() });
 * ```
 */
export class XenPagingBackend implements PagingBackend {
  readonly pageCount: number;
  readonly memoryName: string;
  private readonly populateViews = new PageViews();
  private readonly evictionViews = new PageViews();
  private negotiated: NegotiatedAbi | undefined;
  private abiSource: 'announced' | 'configured' = 'configured';
  private table: XenRequestTable | undefined;
  private back: BackRing | undefined;
  private readonly responses: PagingMessage[] = [];
  private readonly wireResponses: PagingMessage[] = [];
  /** The frame each page prepared for eviction was copied from, by position in the batch. */
  private mfns = new Int32Array(0);
  private refusedScratch = new Uint32Array(0);

  constructor(private readonly options: XenPagingBackendOptions) {
    this.pageCount = options.hypervisor.domainInfo(options.domid).maxPages;
    this.memoryName = xenMemoryName(options.domid);
  }

  get capabilities(): BackendCapabilities {
    // Xen 4.0–4.x: nominate refuses busy pages; the paging ring reports faults only; log-dirty is
    // not wired in; a page-in loads bytes (prep's buffer or a mapping); a foreign map starts a page-in.
    return { maxBatch: this.wire().ringSlots, refusesEviction: true, accesses: 'none', dirtyTracking: false, zeroPages: false, startsAbsent: false, prefetch: true };
  }

  /** The domain it pages. */
  get domid(): number {
    return this.options.domid;
  }

  /** The protocol spoken on the domain's paging ring, once open (the offline manager asks it). */
  get ringProtocol(): PagingProtocol | undefined {
    return this.negotiated?.wire.protocol;
  }

  get info(): BackendInfo | undefined {
    const n = this.negotiated;
    return n === undefined ? undefined : { name: 'xen', abi: n.wire.id, pagerAbi: n.pager.id, abiSource: this.abiSource };
  }

  get activity$(): Observable<void> {
    return this.options.hypervisor.notify$(this.options.domid);
  }

  get target$(): Observable<number> {
    return this.options.hypervisor.target$(this.options.domid);
  }

  /**
   * Negotiates the ABI and enables paging.
   *
   * @throws {@link AbiError} `ABI_MISMATCH` when the hypervisor announces an ABI the pager cannot speak
   * @throws {@link HypervisorError} from enable (`EBUSY`, `ENODEV`, ...; `ENOEXEC` from SUSE's Xen for another paging age)
   */
  open(): void {
    const negotiated = this.negotiate();
    const abi = negotiated.wire;
    const channel = this.enable(abi.id);
    // The ring page is Xen's; the pager reads it with the entry size of the ABI it speaks on it.
    const ring = channel.ring.entryBytes === abi.entryBytes ? channel.ring : new SharedRing(channel.ring.page, abi.entryBytes);
    this.back = new BackRing(ring);
    this.table = new XenRequestTable(negotiated, this.back);
    this.negotiated = negotiated;
  }

  residentPages(): number {
    return this.options.hypervisor.domainInfo(this.options.domid).totPages;
  }

  drainFaults(into: FaultBatch): number {
    return this.requests().drain(into);
  }

  /**
   * Loads each page: `prep` with the buffer (age 2 on), or on 4.0 and 4.1 `prep` then a write through a
   * writable mapping (xenpaging's `xenpaging_populate_page` of those releases).
   */
  populate(pages: Uint32Array, count: number, bytes: Uint8Array, outcome: Uint8Array): void {
    const { hypervisor, domid } = this.options;
    const protocol = this.protocol();
    const views = this.populateViews.of(bytes);
    for (let i = 0; i < count; i++) {
      const gfn = pages[i]!;
      const page = views[i]!;
      try {
        if (protocol.prepLoadsBuffer) {
          hypervisor.prep(domid, gfn, page);
        } else {
          hypervisor.prep(domid, gfn);
          const mapping = hypervisor.mapForeign(domid, gfn, true);
          mapping.bytes.set(page);
          hypervisor.unmapForeign(mapping);
        }
        outcome[i] = POPULATED;
      } catch (error) {
        if (isPagevisorError(error, protocol.prepNoMemoryErrno)) outcome[i] = POPULATE_NO_MEMORY;
        // ENOENT: the gfn left the paging states (ballooned out; its DROP_PAGE follows).
        else if (isPagevisorError(error, 'ENOENT')) outcome[i] = POPULATE_GONE;
        else throw error;
      }
    }
  }

  /**
   * Answers the requests: every one gets a response, so no ring slot is ever lost (the 4.1.0 pager's
   * one-way DROP_PAGE filled the ring), then lets Xen consume them (4.1's `PAGING_RESUME` domctl takes
   * one response per call, 4.2+ all of them per notification).
   */
  completeFaults(ids: Uint32Array, count: number): void {
    if (count === 0) return;
    const { hypervisor, domid } = this.options;
    const { wire, pager, adapter } = this.negotiated!;
    const table = this.requests();
    this.recoverEvictFails(ids, count);
    for (let i = 0; i < count; i++) {
      const r = table.request(ids[i]!);
      const m = this.responses[i] ?? (this.responses[i] = pager.create());
      m.gfn = r.gfn;
      m.vcpuId = r.vcpuId;
      m.p2mt = r.p2mt;
      m.flags = r.flags;
      m.reason = r.reason;
      if ('type' in m) m.type = (r as typeof m).type;
      if ('pagingFlags' in m) {
        (m as VmEventMessage).pagingFlags = (r as VmEventMessage).pagingFlags;
        (m as VmEventMessage).version = Number(pager.generation);
      }
      table.release(ids[i]!);
    }
    if (adapter === undefined) {
      this.back!.pushResponses(wire, this.responses, count);
    } else {
      for (let i = 0; i < count; i++) this.wireResponses[i] = adapter.toWire(this.responses[i]!);
      this.back!.pushResponses(wire, this.wireResponses, count);
    }
    const calls = wire.protocol.resume === 'one-per-call' ? count : 1;
    for (let i = 0; i < calls; i++) hypervisor.resume(domid);
  }

  /**
   * Starts the page-in of each page the way xenpaging's `resume_pages` did: a read-only foreign map
   * starts the populate (and fails with ENOENT); the request then comes round. A gfn that maps, or is no
   * longer guest RAM (EINVAL), is not paged out any more: the guest gave it back and its DROP_PAGE was
   * lost (Xen 4.1 drops one when the ring is nearly full, 4.2+ a foreign caller's when no slot is free).
   */
  requestPageIn(pages: Uint32Array, count: number, outcome: Uint8Array): void {
    const { hypervisor, domid } = this.options;
    for (let i = 0; i < count; i++) {
      try {
        hypervisor.unmapForeign(hypervisor.mapForeign(domid, pages[i]!, false));
        outcome[i] = PAGE_IN_GONE;
      } catch (error) {
        if (isPagevisorError(error, 'ENOENT')) outcome[i] = PAGE_IN_REQUESTED;
        else if (isPagevisorError(error, 'EINVAL')) outcome[i] = PAGE_IN_GONE;
        else throw error;
      }
    }
  }

  /**
   * Nominates each victim and copies it (xenpaging's `xenpaging_evict_page`); ages 2 and 3 (seed 001)
   * map first, their mapping being the second reference nominate needs. Refusals go to the end.
   */
  prepareEviction(pages: Uint32Array, count: number, bytes: Uint8Array): number {
    const { hypervisor, domid } = this.options;
    const mapFirst = this.protocol().nominateRefs === 2;
    if (this.mfns.length < count) {
      this.mfns = new Int32Array(count);
      this.refusedScratch = new Uint32Array(count);
    }
    let prepared = 0;
    let refused = 0;
    for (let i = 0; i < count; i++) {
      const gfn = pages[i]!;
      let mapping: ForeignMapping | undefined;
      try {
        if (mapFirst) mapping = hypervisor.mapForeign(domid, gfn, false);
        hypervisor.nominate(domid, gfn);
        mapping ??= hypervisor.mapForeign(domid, gfn, false);
      } catch (error) {
        if (mapping !== undefined) hypervisor.unmapForeign(mapping);
        if (!isRefusal(error)) throw error;
        this.refusedScratch[refused++] = gfn;
        continue;
      }
      bytes.set(mapping.bytes, prepared * PAGE_BYTES);
      this.mfns[prepared] = mapping.mfn;
      hypervisor.unmapForeign(mapping);
      pages[prepared++] = gfn;
    }
    for (let i = 0; i < refused; i++) pages[prepared + i] = this.refusedScratch[i]!;
    return prepared;
  }

  /**
   * Evicts each page the engine confirmed (EBUSY: mapped or populated since nomination, it stays). Xen
   * 4.0 and 4.1's evict frees the frame unscrubbed: the page is cleared first through a writable mapping,
   * as their xenpaging_evict_page did, if it is still the page copied, and refilled if evict refuses.
   * A page the engine skips stays nominated: a guest touch brings it back with EVICT_FAIL.
   */
  commitEviction(pages: Uint32Array, count: number, bytes: Uint8Array, outcome: Uint8Array): void {
    const { hypervisor, domid } = this.options;
    const scrub = !this.protocol().evictScrubs;
    const views = this.evictionViews.of(bytes);
    for (let i = 0; i < count; i++) {
      if (outcome[i] === EVICT_SKIP) continue;
      const gfn = pages[i]!;
      const copy = views[i]!;
      if (scrub && !this.clearIfUnchanged(gfn, this.mfns[i]!, copy)) {
        outcome[i] = EVICT_REFUSED; // not the page it nominated any more (ballooned out and in, or gone)
        continue;
      }
      try {
        hypervisor.evict(domid, gfn);
        outcome[i] = EVICT_DONE;
      } catch (error) {
        if (!isRefusal(error)) throw error;
        if (scrub) this.overwrite(gfn, copy); // the page stays, and it is the one copied: give it its content back
        outcome[i] = EVICT_REFUSED;
      }
    }
  }

  /** The pages stay resident and nominated: a guest touch brings them back with EVICT_FAIL. */
  abandonEviction(): void {}

  /** Graceful: disables paging. Hard: the ring stays, and so do the paged gfns (Xen has no other outcome). */
  close(mode: 'graceful' | 'hard'): void {
    if (mode === 'graceful') this.options.hypervisor.disablePaging(this.options.domid);
  }

  /**
   * A fault on a gfn nominated but never evicted (`EVICT_FAIL`: its frame is still there) is ended by a
   * prep without content, which makes the gfn `ram_rw` again (Xen 4.2+ `p2m_mem_paging_prep` keeps an
   * existing frame). The response alone does not always do it: since Xen commit 4481335590,
   * `vm_event_resume` skips `p2m_mem_paging_resume` unless the response's vcpu is vm_event-paused, and a
   * foreign populate's request carries an unpaused vcpu, so xenpaging's answer left the gfn `paging_in`
   * and the guest spinning on it for ever (found by the interleaving harness). 4.0 and 4.1 resume any
   * type; SUSE age 3 restores a nominated gfn at populate.
   */
  private recoverEvictFails(ids: Uint32Array, count: number): void {
    if (this.protocol().codeBase !== '4.2') return;
    const { hypervisor, domid } = this.options;
    const table = this.requests();
    for (let i = 0; i < count; i++) {
      const id = ids[i]!;
      const gfn = table.request(id).gfn;
      if (gfn >= this.pageCount || table.isDropRequest(id) || !table.isEvictFail(id)) continue;
      try {
        hypervisor.prep(domid, gfn);
      } catch (error) {
        // ENOENT: no longer paging (populated by the engine just now, resumed already, ballooned out).
        if (!isPagevisorError(error, 'ENOENT')) throw error;
      }
    }
  }

  /**
   * Zeroes a nominated page through a writable mapping if it is still the one copied: the same frame,
   * the same bytes (the gfn may have been ballooned out and back in during the store write, and that
   * new page must not be touched). False when it is not, or cannot be mapped.
   */
  private clearIfUnchanged(gfn: number, mfn: number, copy: Uint8Array): boolean {
    const { hypervisor, domid } = this.options;
    let mapping: ForeignMapping;
    try {
      mapping = hypervisor.mapForeign(domid, gfn, true);
    } catch (error) {
      if (isRefusal(error)) return false;
      throw error;
    }
    const same = mapping.mfn === mfn && samePage(mapping.bytes, copy);
    if (same) mapping.bytes.fill(0);
    hypervisor.unmapForeign(mapping);
    return same;
  }

  /** Writes `content` back into a page {@link XenPagingBackend.clearIfUnchanged} zeroed. */
  private overwrite(gfn: number, content: Uint8Array): void {
    const { hypervisor, domid } = this.options;
    const mapping = hypervisor.mapForeign(domid, gfn, true);
    mapping.bytes.set(content);
    hypervisor.unmapForeign(mapping);
  }

  /**
   * Picks the ABI for the ring. A hypervisor that says which it speaks (vm_event's
   * `XEN_VM_EVENT_GET_VERSION`, Xen 4.13 on) gets the pager's best match, through an adapter if need be;
   * otherwise the pager speaks its first configured ABI, as xenpaging spoke the one it was built for.
   */
  private negotiate(): NegotiatedAbi {
    const { hypervisor, domid, abi, abiRegistry } = this.options;
    const announced = hypervisor.announcedPagingAbi(domid);
    if (announced !== undefined) {
      this.abiSource = 'announced';
      return abiRegistry.negotiate(announced, abi);
    }
    this.abiSource = 'configured';
    const wire = abiRegistry.get(abi[0]!);
    return { wire, pager: wire, adapter: undefined };
  }

  /**
   * Enables paging. A domain whose ring is still set up (another pager runs, or one stopped hard)
   * answers EBUSY: Xen has no call to take a ring over, and xenpaging gave up the same way ("xenpaging
   * is (or was) active on this domain", RELEASE-4.2.0 `xenpaging_init`).
   */
  private enable(abi: string): ReturnType<HypervisorPort['enablePaging']> {
    const { hypervisor, domid } = this.options;
    try {
      return hypervisor.enablePaging(domid, abi);
    } catch (error) {
      if (!isPagevisorError(error, 'EBUSY')) throw error;
      throw new HypervisorError(
        'EBUSY',
        `domain ${domid}: a pager is (or was) active on it, and its ring is still set up; Xen offers no way to take it over, so another pager cannot start until that one stops gracefully (a hard stop leaves the ring and its pages out for good)`,
        { domid, cause: error },
      );
    }
  }

  private wire(): NegotiatedAbi['wire'] {
    if (this.negotiated === undefined) throw new Error('the Xen backend is not open');
    return this.negotiated.wire;
  }

  private protocol(): PagingProtocol {
    return this.wire().protocol;
  }

  private requests(): XenRequestTable {
    if (this.table === undefined) throw new Error('the Xen backend is not open');
    return this.table;
  }
}

/** Whether two 4 KiB pages hold the same bytes (compared a word at a time where both are aligned). */
function samePage(a: Uint8Array, b: Uint8Array): boolean {
  if ((a.byteOffset & 3) === 0 && (b.byteOffset & 3) === 0) {
    const wa = new Int32Array(a.buffer, a.byteOffset, PAGE_BYTES >> 2);
    const wb = new Int32Array(b.buffer, b.byteOffset, PAGE_BYTES >> 2);
    for (let i = 0; i < wa.length; i++) if (wa[i] !== wb[i]) return false;
    return true;
  }
  for (let i = 0; i < PAGE_BYTES; i++) if (a[i] !== b[i]) return false;
  return true;
}
