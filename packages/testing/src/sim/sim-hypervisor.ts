import { pageOfflineSysctl } from './page-offline-sysctl.js';
import { SimPv } from './pv/sim-pv.js';
import {
  createDefaultAbiRegistry,
  HypervisorError,
  type AbiRegistry,
  type DomainInfo,
  type FrameOwner,
  type ForeignMapping,
  type HypervisorPort,
  type PageOfflineOp,
  type PagingChannel,
} from '@pagevisor/core';
import type { Observable } from 'rxjs';
import { DomainPaging, foreignCaller } from './domain-paging.js';
import { InvariantAuditor } from './invariant-auditor.js';
import { MachineFrames } from './machine-frames.js';
import { fillPageContent, isPageContent } from './page-content.js';
import { DOMID_INVALID, DOMID_XEN, GNTST_EAGAIN, HVM_SPECIAL_PFN_BASE, INVALID_M2P_ENTRY, INVALID_MFN, P2mType, PAGE_BYTES, PageType, isGuestRam, isPagingType } from './sim-constants.js';
import { MAX_SIM_PAGES, SimDomain, type SimDomainConfig } from './sim-domain.js';

/**
 * How to build a simulated hypervisor.
 *
 * @example
 * ```ts
 * new SimHypervisor({ abi: 'mem_event/age1', machineFrames: 1 << 16, audit: true, xenBugs: false });
 * ```
 */
export interface SimHypervisorOptions {
  /** The paging ABI this "Xen" speaks and announces (default `vm_event/v7`, Xen 4.15+). */
  readonly abi?: string;
  /** Machine frames (default 262144: a 1 GiB machine). Domains draw their RAM from these. */
  readonly machineFrames?: number;
  /** Check the invariants after every operation and throw on the first violation (default false). */
  readonly audit?: boolean;
  /** The ABIs `abi` is looked up in (default {@link createDefaultAbiRegistry}). */
  readonly registry?: AbiRegistry;
  /**
   * Reproduce Xen's known paging bugs instead of the fixes (default false): Xen 4.1's evict does not
   * re-check references, so a page mapped after nomination is evicted under its mapper and the mapper's
   * writes are lost (seed 003), nor the type; on age 1 (Xen 4.1.0) the freed frame's M2P entry stays
   * stale (seed 000 patches 6-7; from 4515d7bd13, in 4.2.0, freeing a frame resets it).
   */
  readonly xenBugs?: boolean;
  /**
   * What happens when vcpus wait on the pager and no response comes for `afterNs` of virtual time
   * (default: crash after 10 ms): `crash` crashes the domain deliberately; `resume` unpauses the vcpus
   * once (they fault again), and crashes it if the pager is still silent the next time.
   */
  readonly deadPager?: DeadPagerOutcome;
}

/**
 * The simulator's answer to a pager that stopped answering.
 *
 * @example
 * ```ts
 * const hv = new SimHypervisor({ deadPager: { afterNs: 5_000_000, outcome: 'resume' } });
 * ```
 */
export interface DeadPagerOutcome {
  /** Virtual nanoseconds without a response, while vcpus wait, before it acts. */
  readonly afterNs: number;
  /** `crash` the domain, or `resume` the vcpus once and crash the next time. */
  readonly outcome: 'crash' | 'resume';
}

/**
 * What {@link SimHypervisor.watchdog} did.
 *
 * @example
 * ```ts
 * const action: WatchdogAction = hv.watchdog(domid, nowNs); // 'none' | 'resumed' | 'crashed'
 * ```
 */
export type WatchdogAction = 'none' | 'resumed' | 'crashed';

/**
 * Result of {@link SimHypervisor.contentMismatches}.
 *
 * @example
 * ```ts
 * const { checked, mismatches } = hv.contentMismatches(domid);
 * ```
 */
export interface IntegrityCheck {
  /** gfns checked (every RAM gfn not ballooned out). */
  readonly checked: number;
  /** gfns whose content is not the version the guest last wrote (or that are still paged out). */
  readonly mismatches: number[];
}

/**
 * Outcome of a guest memory access: done, or the vcpu is now blocked and retries later.
 *
 * @example
 * ```ts
 * const outcome: AccessOutcome = hv.guestAccess(domid, 0, gfn, false); // 'done' or 'blocked'
 * ```
 */
export type AccessOutcome = 'done' | 'blocked';

interface SimMapping extends ForeignMapping {
  /** Whether it is still mapped. */
  live: boolean;
}

/**
 * The embedded default hypervisor: a simulated Xen that implements {@link HypervisorPort} for any of
 * the paging ABIs, age by age, plus the guest-side operations a workload drives (accesses, balloon,
 * grant maps, hypervisor copies).
 *
 * @remarks
 * State lives in typed arrays indexed by gfn and mfn; page contents are generated from (domain seed,
 * gfn, version) when a mapping reads them. With `audit: true` every operation is followed by the
 * invariant checks of {@link InvariantAuditor}, which throw naming the domain, gfn, mfn and operation.
 *
 * @example
 * ```ts
 * import { SimHypervisor } from '@pagevisor/testing';
 *
 * const xen = new SimHypervisor({ abi: 'mem_event/4.2', audit: true });
 * const guest = xen.createDomain({ maxPages: 4096, vcpus: 2 });
 * const channel = xen.enablePaging(guest.domid, 'mem_event/4.2');
 * xen.nominate(guest.domid, 100);
 * xen.evict(guest.domid, 100);
 * xen.guestAccess(guest.domid, 0, 100, false); // 'blocked': a request is now on channel.ring
 * ```
 */
export class SimHypervisor implements HypervisorPort {
  /** The machine's frames. */
  readonly frames: MachineFrames;
  /** The ABI this hypervisor speaks on its rings (and announces, from vm_event v5 on). */
  readonly xenAbi: string;
  /** The invariant auditor, when auditing is on. */
  readonly auditor: InvariantAuditor | undefined;
  /**
   * The vcpu of the control domain that foreign calls (the pager's and backends' maps) run on now:
   * their requests carry it as `vcpu_id`, as Xen's carry `current->vcpu_id` (default 0).
   */
  controlVcpu = 0;
  private readonly registry: AbiRegistry;
  private readonly domains = new Map<number, SimDomain>();
  /**
   * Live read-only mappings per frame. Their bytes are a private copy (cheaper than sharing the frame's),
   * so a write to the frame is copied into each: a mapper sees the page as it is, as on a real mapping
   * (the pager of paging age 2 maps before it nominates and copies after).
   */
  private readonly readers = new Map<number, SimMapping[]>();
  private nextDomid = 1;
  private nextPort = 1;
  private readonly scratch = new Uint8Array(PAGE_BYTES);
  /** Page buffers of unmapped read-only mappings, reused by the next ones. */
  private readonly pagePool: Uint8Array[] = [];
  /** Whether Xen's known bugs are reproduced (see {@link SimHypervisorOptions.xenBugs}). */
  readonly xenBugs: boolean;
  private readonly deadPager: DeadPagerOutcome;
  private readonly watch = new Map<number, { responses: number; since: number; resumed: boolean }>();
  /** The PV side: page tables, grants, suspend, `XENMEM_exchange` (see {@link SimPv}). */
  readonly pv: SimPv;

  /** @param options - the announced ABI, machine size and auditing */
  constructor(options: SimHypervisorOptions = {}) {
    this.registry = options.registry ?? createDefaultAbiRegistry();
    this.xenAbi = this.registry.get(options.abi ?? 'vm_event/v7').id;
    this.frames = new MachineFrames(options.machineFrames ?? 1 << 18);
    this.auditor = options.audit === true ? new InvariantAuditor(this.frames) : undefined;
    this.xenBugs = options.xenBugs === true;
    this.deadPager = options.deadPager ?? { afterNs: 10_000_000, outcome: 'crash' };
    this.pv = new SimPv(this.frames, (domid) => this.domain(domid), (mfn) => this.frameBytes(mfn));
  }

  // --- domains ---

  /**
   * Creates a PV domain with real page tables (see {@link SimPv.adopt}); `pae` makes it a 32-bit PAE
   * guest on this 64-bit host.
   */
  createPvDomain(config: Omit<SimDomainConfig, 'hvm'> & { readonly pae?: boolean }): SimDomain {
    const domain = this.createDomain({ ...config, hvm: false });
    this.pv.adopt(domain, config.pae === true);
    return domain;
  }

  /** A frame's 4096 bytes as they are now (generated content, or what was written into it). */
  frameBytes(mfn: number): Uint8Array {
    const bytes = new Uint8Array(PAGE_BYTES);
    const f = this.frames;
    const owner = this.domains.get(f.owner[mfn]!);
    if (owner !== undefined) {
      this.fillFrame(owner, mfn, bytes);
      return bytes;
    }
    // A free frame Xen 4.1's evict did not scrub still holds its last owner's page.
    const seed = f.unscrubbed.get(mfn);
    const written = f.written.get(mfn);
    if (written !== undefined) bytes.set(written);
    else if (seed !== undefined && f.contentGfn[mfn]! >= 0) fillPageContent(bytes, seed, f.contentGfn[mfn]!, f.contentVersion[mfn]!);
    return bytes;
  }

  /**
   * Creates an HVM domain and populates the RAM of its E820 map.
   *
   * @throws {@link @pagevisor/core!HypervisorError | HypervisorError} `EINVAL` for a size outside `[1, 2^24]`, `ENOMEM` when the machine
   * has too few frames.
   */
  createDomain(config: SimDomainConfig): SimDomain {
    if (!Number.isInteger(config.maxPages) || config.maxPages < 1 || config.maxPages > MAX_SIM_PAGES) {
      throw new HypervisorError('EINVAL', `maxPages ${config.maxPages} is outside [1, ${MAX_SIM_PAGES}]`);
    }
    const domain = new SimDomain(this.nextDomid++, config, this.frames);
    for (const range of domain.e820) {
      if (range.type !== 'ram') continue;
      for (let gfn = range.start; gfn < range.end; gfn++) domain.populateGfn(gfn);
    }
    domain.setTarget(domain.totPages);
    this.domains.set(domain.domid, domain);
    return domain;
  }

  /** The domain with this id. @throws {@link @pagevisor/core!HypervisorError | HypervisorError} `ESRCH` */
  domain(domid: number): SimDomain {
    const domain = this.domains.get(domid);
    if (domain === undefined) throw new HypervisorError('ESRCH', `no domain ${domid}`, { domid });
    return domain;
  }

  /** Every live domain. */
  listDomains(): readonly SimDomain[] {
    return [...this.domains.values()];
  }

  /** Destroys a domain: its paging ring and target watch complete, its frames are freed. */
  destroyDomain(domid: number): void {
    const d = this.domain(domid);
    d.paging?.destroy();
    d.paging = undefined;
    for (let gfn = 0; gfn < d.maxPages; gfn++) {
      const mfn = d.p2mMfn[gfn]!;
      if (mfn !== INVALID_MFN && this.frames.release(mfn)) d.totPages--;
    }
    d.endTarget();
    this.domains.delete(domid);
  }

  /**
   * The toolstack pauses the domain (`XEN_DOMCTL_pausedomain`, `domain_pause_by_systemcontroller`):
   * every vcpu's pause count goes up by one, on top of any pause paging holds.
   */
  pauseDomain(domid: number): void {
    const d = this.domain(domid);
    d.controllerPauses++;
    for (let v = 0; v < d.vcpus; v++) d.pauseCount[v]!++;
  }

  /**
   * The toolstack unpauses the domain (`XEN_DOMCTL_unpausedomain`); a paging pause stays.
   *
   * @throws {@link @pagevisor/core!HypervisorError | HypervisorError} `EINVAL` when the toolstack holds no pause (`domain_unpause_by_systemcontroller`)
   */
  unpauseDomain(domid: number): void {
    const d = this.domain(domid);
    if (d.controllerPauses === 0) throw new HypervisorError('EINVAL', `domain ${domid} is not paused by the toolstack`, { domid });
    d.controllerPauses--;
    for (let v = 0; v < d.vcpus; v++) d.pauseCount[v]!--;
  }

  /**
   * Other domains take every free machine frame (a host under memory pressure): page-ins then find no
   * memory until they are destroyed.
   *
   * @returns the ids of the domains created, for {@link SimHypervisor.destroyDomain}
   */
  occupyFreeFrames(): number[] {
    const domids: number[] = [];
    while (this.frames.free > 0) domids.push(this.createDomain({ maxPages: Math.min(this.frames.free, 4096), vcpus: 1 }).domid);
    return domids;
  }

  /** Sets the domain's memory target (what `xenstore-write memory/target-tot_pages` did). */
  setTarget(domid: number, pages: number): void {
    this.domain(domid).setTarget(pages);
  }

  // --- HypervisorPort ---

  domainInfo(domid: number): DomainInfo {
    const d = this.domain(domid);
    return { domid, maxPages: d.maxPages, totPages: d.totPages, pagedPages: d.pagedPages, vcpus: d.vcpus, hvm: d.config.hvm, paging: d.paging !== undefined, pagingAbi: d.paging?.abi.id };
  }

  /** `XEN_SYSCTL_page_offline_op` on one frame: offline, online or query, with Xen 4.2's statuses (RELEASE-4.2.0 `offline_page`). */
  pageOffline(op: PageOfflineOp, mfn: number): number {
    return pageOfflineSysctl(this.frames, op, mfn, (domid) => {
      const owner = this.domains.get(domid);
      if (owner !== undefined) owner.crashed = `mfn 0x${mfn.toString(16)} is broken (page offline of an owned broken frame)`;
    });
  }

  /** The M2P entry of a frame: its owner and the gfn it backs, if any. */
  frameOwner(mfn: number): FrameOwner | undefined {
    const owner = this.frames.owner[mfn];
    if (owner === undefined || owner === DOMID_INVALID || owner === DOMID_XEN) return undefined;
    return { domid: owner, gfn: this.frames.m2p[mfn]! };
  }

  /** `XEN_VM_EVENT_GET_VERSION` (Xen 4.13 on): the simulated Xen's ABI when it has the query. */
  announcedPagingAbi(domid: number): string | undefined {
    this.domain(domid);
    const abi = this.registry.get(this.xenAbi);
    return abi.protocol.announcesAbi ? abi.id : undefined;
  }

  enablePaging(domid: number, pagerAbi: string): PagingChannel {
    const d = this.domain(domid);
    const abi = this.registry.get(this.xenAbi);
    const base = abi.protocol.codeBase;
    // Order of checks as in mem_event_enable (RELEASE-4.2.0 `xen/arch/x86/mm/mem_event.c`) / the SUSE tree.
    // RELEASE-4.0.0 mem_event_domctl checks none of them: only that the ring and shared pages exist.
    if (base !== '4.0' && (!d.config.hvm || !d.config.hap || (base === '4.1' && d.config.cpuVendor !== 'intel'))) {
      throw new HypervisorError('ENODEV', `domain ${domid}: paging requires ${base === '4.1' ? 'Intel EPT' : 'Hardware Assisted Paging'}`, { domid });
    }
    if (base === '4.2' && d.config.iommuPassthrough) throw new HypervisorError('EMLINK', `domain ${domid}: paging is not possible with IOMMU passthrough`, { domid });
    if ((base === '4.2' || abi.protocol.enableChecksAge) && d.config.populateOnDemand) {
      throw new HypervisorError('EXDEV', `domain ${domid}: paging is not possible in a PoD guest`, { domid });
    }
    if (d.paging !== undefined) throw new HypervisorError('EBUSY', `domain ${domid}: a pager is (or was) active on this domain`, { domid });
    // SUSE's mem_event_enable compares the age the pager passes (in the domctl's gfn field) with its own.
    // No upstream Xen compares anything: a pager of another ABI gets the ring and misreads it.
    if (abi.protocol.enableChecksAge && pagerAbi !== abi.id) {
      const pager = this.registry.has(pagerAbi) ? this.registry.get(pagerAbi) : undefined;
      const got = pager?.family === 'mem_event' ? pager.generation : pagerAbi;
      throw new HypervisorError('ENOEXEC', `domain ${domid}: Expected paging age ${abi.generation}, got ${got}`, { domid });
    }
    d.paging = new DomainPaging(d, abi, this.nextPort++, (gfn) => this.settleContent(d, gfn, 'resume'));
    // 4.2+: the ring lives in special_pfn(0), which the pager removes from the guest physmap.
    if (base === '4.2' && HVM_SPECIAL_PFN_BASE < d.maxPages) this.removeGfn(d, HVM_SPECIAL_PFN_BASE, foreignCaller(this.controlVcpu));
    this.audit(d, -1, 'enable');
    return { domid, ring: d.paging.ring, port: d.paging.port };
  }

  disablePaging(domid: number): void {
    const d = this.domain(domid);
    if (d.paging === undefined) throw new HypervisorError('ENODEV', `domain ${domid} has no paging ring`, { domid });
    d.paging.disable();
    d.paging = undefined;
  }

  nominate(domid: number, gfn: number): void {
    const d = this.domain(domid);
    const paging = this.pagingOf(d, gfn);
    const f = this.frames;
    const mfn = d.p2mMfn[gfn]!;
    const type = d.p2mType[gfn]!;
    const xen41 = paging.protocol.codeBase !== '4.2'; // 4.0 and 4.1 alike
    const refs = paging.protocol.nominateRefs;
    if (mfn === INVALID_MFN) throw this.refuse(paging.protocol.nominateNoFrameErrno, d, gfn, 'nominate: no frame');
    // 4.1 pages only ram_rw; 4.2 also ram_logdirty (P2M_PAGEABLE_TYPES).
    const pageable = type === P2mType.ram_rw || (!xen41 && type === P2mType.ram_logdirty);
    const failure = !pageable
      ? `type is not pageable`
      : f.allocated[mfn] !== 1 || f.refs[mfn] !== refs
        ? `count_info is ${f.refs[mfn]}${f.allocated[mfn] === 1 ? '|PGC_allocated' : ''}, needs ${refs}|PGC_allocated`
        : f.typeCount[mfn] !== 0 || (xen41 && f.type[mfn] !== PageType.none)
          ? `page has a type reference`
          : undefined;
    // Xen 4.1 and SUSE return EAGAIN for every refusal but an invalid mfn; 4.2+ EBUSY.
    if (failure !== undefined) throw this.refuse(xen41 ? 'EAGAIN' : 'EBUSY', d, gfn, `nominate: ${failure}`);
    d.p2mType[gfn] = P2mType.ram_paging_out;
    this.audit(d, gfn, 'nominate');
  }

  evict(domid: number, gfn: number): void {
    const d = this.domain(domid);
    const paging = this.pagingOf(d, gfn);
    const f = this.frames;
    const mfn = d.p2mMfn[gfn]!;
    const type = d.p2mType[gfn]!;
    if (!paging.protocol.evictRechecks) {
      // Xen 4.1 evict checks only the type and the mfn: no refcount re-check (the seed 003 race).
      if (mfn === INVALID_MFN || type === P2mType.ram_paged || type === P2mType.ram_paging_in || type === P2mType.ram_paging_in_start) {
        throw this.refuse('EINVAL', d, gfn, `evict: gfn is ${mfn === INVALID_MFN ? 'without a frame' : 'already paged'}`);
      }
      // Xen 4.1 evicts any type but the paged ones (RELEASE-4.1.0 p2m_mem_paging_evict): a gfn ballooned
      // out and back in since its nomination is `ram_rw` with new content, and 4.1 evicts it, losing
      // that content. With `xenBugs` off the simulator applies 4.2's checks, as for the references below.
      if (!this.xenBugs && type !== P2mType.ram_paging_out) throw this.refuse('EBUSY', d, gfn, 'evict: gfn is not paging_out (changed since its nomination)');
      // The fix (4.2's check, 2d1f750000 era): a page someone mapped after nomination is not evicted.
      if (!this.xenBugs && (f.refs[mfn] !== 1 || f.typeCount[mfn] !== 0)) {
        throw this.refuse('EBUSY', d, gfn, `evict: page is in use (count_info ${f.refs[mfn]! + 1}, type count ${f.typeCount[mfn]})`);
      }
    } else {
      if (mfn === INVALID_MFN || type !== P2mType.ram_paging_out) throw this.refuse('EBUSY', d, gfn, 'evict: gfn is not paging_out');
      // get_page, then the count must be exactly 2|PGC_allocated: nobody mapped it since nominate.
      if (f.allocated[mfn] !== 1 || f.refs[mfn] !== 1 || f.typeCount[mfn] !== 0) {
        throw this.refuse('EBUSY', d, gfn, `evict: page is in use (count_info ${f.refs[mfn]! + 1}, type count ${f.typeCount[mfn]})`);
      }
    }
    d.p2mMfn[gfn] = INVALID_MFN;
    d.p2mType[gfn] = P2mType.ram_paged;
    d.pagedPages++;
    // Seed 000 patches 6-7: the M2P entry of the evicted frame is invalidated. With xenBugs it is left
    // to Xen: 4.1.0 kept it naming the gfn after the free (stale); from 4515d7bd13 (4.2.0, age 2 on)
    // the free resets it, and only a frame still mapped by someone keeps it until its last put.
    if (!this.xenBugs) f.m2p[mfn] = INVALID_M2P_ENTRY;
    if (f.allocated[mfn] === 1) {
      d.totPages--;
      const stale = f.m2p[mfn]!;
      // 4.2+ scrub_one_page; 4.1 frees the page with the guest's data in it.
      const freed = f.release(mfn, paging.protocol.evictScrubs ? undefined : d.seed);
      if (freed && this.xenBugs && !paging.protocol.freeResetsM2p) f.m2p[mfn] = stale;
    }
    this.audit(d, gfn, 'evict');
  }

  prep(domid: number, gfn: number, buffer?: Uint8Array): void {
    const d = this.domain(domid);
    const paging = this.pagingOf(d, gfn);
    const protocol = paging.protocol;
    const type = d.p2mType[gfn]!;
    if (buffer !== undefined && !protocol.prepLoadsBuffer) {
      throw this.refuse('EINVAL', d, gfn, `prep: paging ABI ${paging.abi.id} has no load; write the page through a mapping`);
    }
    if (buffer !== undefined && buffer.length !== PAGE_BYTES) throw this.refuse('EINVAL', d, gfn, `prep: buffer is ${buffer.length} bytes, not ${PAGE_BYTES}`);
    if (!protocol.prepLoadsBuffer) {
      // Xen 4.1: always a new frame, set (new mfn, paging_in). 4.1 had no type check, so a request that
      // raced with a balloon-out resurrected the removed gfn; the simulator applies 4.2's ENOENT. The old
      // frame, if any, is released with its M2P entry invalidated (4.1 left it allocated and stale).
      if (!isPagingType(type)) throw this.refuse('ENOENT', d, gfn, 'prep: gfn is not being paged in');
      const old = d.p2mMfn[gfn]!;
      // RELEASE-4.0.0 p2m_mem_paging_prep answers a failed allocation with -EINVAL, 4.1 with -ENOMEM.
      if (this.frames.free === 0) throw this.refuse(protocol.prepNoMemoryErrno, d, gfn, 'prep: no free machine frame');
      const mfn = this.frames.allocate(d.domid);
      d.totPages++;
      if (old !== INVALID_MFN) this.releaseFrame(d, old);
      else if (isPagingType(type)) d.pagedPages--;
      this.frames.written.set(mfn, new Uint8Array(PAGE_BYTES));
      d.p2mMfn[gfn] = mfn;
      d.p2mType[gfn] = P2mType.ram_paging_in;
      this.frames.m2p[mfn] = gfn;
      this.audit(d, gfn, 'prep');
      return;
    }
    // The 4.1 code base (age 2, SUSE age 3): populate left paged → paging_in_start (age 2 may also find
    // `paged` when evict ran after a populate of paging_out); prep → paging_in, resume finishes.
    // 4.2+: paging_in or paged, and prep makes the gfn ram_rw at once.
    const xen41 = protocol.codeBase !== '4.2';
    const allowed = xen41
      ? type === P2mType.ram_paging_in_start || (!protocol.oneRequestPerGfn && type === P2mType.ram_paged)
      : type === P2mType.ram_paging_in || type === P2mType.ram_paged;
    if (!allowed) throw this.refuse('ENOENT', d, gfn, 'prep: gfn is not being paged in');
    let mfn = d.p2mMfn[gfn]!;
    if (mfn === INVALID_MFN) {
      if (buffer === undefined && !protocol.oneRequestPerGfn) throw this.refuse('EINVAL', d, gfn, 'prep: gfn has no frame and no buffer was given');
      mfn = this.frames.allocate(d.domid);
      d.totPages++;
      d.pagedPages--;
      if (buffer === undefined) this.frames.written.set(mfn, new Uint8Array(PAGE_BYTES));
      else this.loadContent(d, gfn, mfn, buffer);
    }
    d.p2mMfn[gfn] = mfn;
    this.frames.m2p[mfn] = gfn;
    d.p2mType[gfn] = xen41 ? P2mType.ram_paging_in : P2mType.ram_rw;
    this.settleContent(d, gfn, 'prep');
    this.audit(d, gfn, 'prep');
  }

  resume(domid: number): void {
    const d = this.domain(domid);
    const paging = d.paging;
    if (paging === undefined) throw new HypervisorError('ENODEV', `domain ${domid} has no paging ring`, { domid });
    paging.resume();
    this.audit(d, -1, 'resume');
  }

  mapForeign(domid: number, gfn: number, writable: boolean): ForeignMapping {
    const d = this.domain(domid);
    const mfn = this.mappableFrame(d, gfn, 'map');
    const f = this.frames;
    f.get(mfn);
    this.frames.mapped[mfn]!++;
    if (writable) {
      f.typeCount[mfn]!++;
      f.type[mfn] = PageType.writable;
    }
    let bytes = f.written.get(mfn);
    if (bytes === undefined) {
      // Read-only mappings reuse page buffers returned by unmap; a writable one shares its bytes with
      // the frame, so writes through it are the frame's content.
      bytes = (writable ? undefined : this.pagePool.pop()) ?? new Uint8Array(PAGE_BYTES);
      this.fillFrame(d, mfn, bytes);
      if (writable) f.written.set(mfn, bytes);
    } else if (!writable) {
      bytes = (this.pagePool.pop() ?? new Uint8Array(PAGE_BYTES));
      bytes.set(f.written.get(mfn)!);
    }
    const mapping: SimMapping = { domid, gfn, mfn, writable, bytes, live: true };
    if (!writable) {
      const readers = this.readers.get(mfn);
      if (readers === undefined) this.readers.set(mfn, [mapping]);
      else readers.push(mapping);
    }
    this.audit(d, gfn, 'map');
    return mapping;
  }

  unmapForeign(mapping: ForeignMapping): void {
    const m = mapping as SimMapping;
    if (m.live !== true) throw new HypervisorError('EINVAL', `gfn ${m.gfn} of domain ${m.domid} is not mapped`, { domid: m.domid, gfn: m.gfn });
    m.live = false;
    if (!m.writable) {
      const readers = this.readers.get(m.mfn)!;
      readers.splice(readers.indexOf(m), 1);
      if (readers.length === 0) this.readers.delete(m.mfn);
    }
    // A read-only mapping's bytes are a private copy: recycle them (they are invalid after unmap).
    if (!m.writable && this.pagePool.length < 1024) this.pagePool.push(m.bytes);
    const f = this.frames;
    this.frames.mapped[m.mfn]!--;
    if (m.writable && --f.typeCount[m.mfn]! === 0) f.type[m.mfn] = PageType.none;
    const d = this.domains.get(m.domid);
    f.put(m.mfn);
    if (d !== undefined && d.p2mMfn[m.gfn] === m.mfn && isGuestRam(d.p2mType[m.gfn]!)) this.settleContent(d, m.gfn, 'unmap');
    if (d !== undefined) this.audit(d, m.gfn, 'unmap');
  }

  notify$(domid: number): Observable<void> {
    const paging = this.domain(domid).paging;
    if (paging === undefined) throw new HypervisorError('ENODEV', `domain ${domid} has no paging ring`, { domid });
    return paging.notify$;
  }

  target$(domid: number): Observable<number> {
    return this.domain(domid).target$;
  }

  // --- the guest side ---

  /**
   * A guest vcpu reads or writes a gfn (the EPT fault path, `hvm_hap_nested_page_fault`).
   *
   * @returns `done`, or `blocked` when the vcpu must wait (paused for a page-in, asleep for ring space,
   * waiting on the gfn); retry the same access once it is runnable again.
   */
  guestAccess(domid: number, vcpu: number, gfn: number, write: boolean): AccessOutcome {
    const d = this.domain(domid);
    const type = d.p2mType[gfn]!;
    if (isGuestRam(type)) {
      if (write) this.guestWrite(d, gfn);
      return 'done';
    }
    if (!isPagingType(type)) return 'done'; // a hole or a ballooned gfn: nothing to page
    if (type === P2mType.ram_paged || type === P2mType.ram_paging_out || d.paging?.protocol.oneRequestPerGfn === true) {
      this.populateOrCrash(d, gfn, vcpu);
    } else {
      d.waitGfn[vcpu] = gfn; // paging_in: a spurious fault; the vcpu re-faults until the type changes
    }
    this.audit(d, gfn, 'populate');
    return d.runnable(vcpu) && isGuestRam(d.p2mType[gfn]!) ? this.guestAccess(domid, vcpu, gfn, write) : 'blocked';
  }

  /** Whether a vcpu spinning on a `paging_in` gfn may run again; clears the spin when it may. */
  releaseSpin(domid: number, vcpu: number): void {
    const d = this.domain(domid);
    const gfn = d.waitGfn[vcpu]!;
    if (gfn >= 0 && d.p2mType[gfn] !== P2mType.ram_paging_in && d.paging?.protocol.oneRequestPerGfn !== true) d.waitGfn[vcpu] = -1;
  }

  /**
   * `XENMEM_decrease_reservation` of one gfn by the guest (a balloon driver giving memory back): frees
   * its frame; for a paging gfn, Xen's `guest_remove_page` then sends DROP_PAGE.
   *
   * @returns whether the gfn was removed (the hypercall's `nr_done` for one extent): false when it was
   * not populated, or on Xen 4.0 for a paging gfn without a frame ("page number invalid")
   */
  decreaseReservation(domid: number, gfn: number, vcpu: number): boolean {
    const d = this.domain(domid);
    const removed = this.removeGfn(d, gfn, vcpu);
    this.audit(d, gfn, 'decrease_reservation');
    return removed;
  }

  /** `XENMEM_populate_physmap` of one ballooned-out gfn: a fresh zeroed page, so a new content version. */
  populatePhysmap(domid: number, gfn: number): void {
    const d = this.domain(domid);
    if (d.p2mType[gfn] !== P2mType.invalid) throw this.refuse('EINVAL', d, gfn, 'populate_physmap: gfn is populated');
    d.version[gfn]!++;
    d.populateGfn(gfn);
    this.audit(d, gfn, 'populate_physmap');
  }

  /**
   * A backend grant-maps a guest page (`GNTTABOP_map_grant_ref`).
   *
   * @returns the mapping, or `GNTST_eagain` (−12) when the gfn is paging (its page-in has started)
   */
  grantMap(domid: number, gfn: number, writable: boolean): ForeignMapping | typeof GNTST_EAGAIN {
    const d = this.domain(domid);
    if (isPagingType(d.p2mType[gfn]!)) {
      this.populateOrCrash(d, gfn, foreignCaller(this.controlVcpu));
      this.audit(d, gfn, 'grant_map');
      return GNTST_EAGAIN;
    }
    return this.mapForeign(domid, gfn, writable);
  }

  /**
   * The hypervisor copies into guest memory on behalf of a vcpu (`__hvm_copy`, as for a hypercall or
   * an emulated write). A paging gfn starts its page-in and answers `retry` (`HVMCOPY_gfn_paged_out`).
   */
  hvmCopy(domid: number, vcpu: number, gfn: number): 'done' | 'retry' {
    const d = this.domain(domid);
    const type = d.p2mType[gfn]!;
    if (isGuestRam(type)) {
      this.guestWrite(d, gfn);
      return 'done';
    }
    if (isPagingType(type)) this.populateOrCrash(d, gfn, vcpu);
    this.audit(d, gfn, 'hvm_copy');
    return isPagingType(type) ? 'retry' : 'done';
  }

  /**
   * A backend writes into a page it has mapped (a block read completing into a granted page): the guest
   * now expects the new content. If paging took the frame away meanwhile (the seed 003 race, only with
   * `xenBugs`), the write lands in a frame the guest no longer has, and the auditor reports the loss at
   * page-in.
   */
  backendWrite(mapping: ForeignMapping): void {
    const m = mapping as SimMapping;
    if (!m.live || !m.writable) throw new HypervisorError('EINVAL', `gfn ${m.gfn} of domain ${m.domid} is not mapped writable`, { domid: m.domid, gfn: m.gfn });
    const d = this.domain(m.domid);
    const version = ++d.version[m.gfn]!;
    if (d.p2mMfn[m.gfn] === m.mfn) this.writeVersion(d, m.gfn, m.mfn, version);
    else fillPageContent(m.bytes, d.seed, m.gfn, version); // into a frame the guest no longer has: lost
  }

  /**
   * The dead-pager watchdog, called with the virtual time whenever the guest cannot make progress: if
   * vcpus wait on paging and no response has been consumed for `deadPager.afterNs`, applies the
   * configured outcome, so that no scenario hangs.
   */
  watchdog(domid: number, nowNs: number): WatchdogAction {
    const d = this.domain(domid);
    const paging = d.paging;
    if (paging === undefined || d.crashed !== undefined) return 'none';
    // Waiting on paging: a toolstack pause is not the pager's to end.
    let waiting = false;
    for (let v = 0; v < d.vcpus; v++) {
      if (d.pauseCount[v]! > d.controllerPauses || d.vmEventPause[v]! > 0 || d.ringSleep[v] === 1 || d.waitGfn[v] !== -1) waiting = true;
    }
    const seen = this.watch.get(domid);
    if (!waiting || seen === undefined || seen.responses !== paging.counters.responses) {
      this.watch.set(domid, { responses: paging.counters.responses, since: nowNs, resumed: seen?.resumed ?? false });
      return 'none';
    }
    if (nowNs - seen.since < this.deadPager.afterNs) return 'none';
    if (this.deadPager.outcome === 'resume' && !seen.resumed) {
      for (let v = 0; v < d.vcpus; v++) {
        d.pauseCount[v] = d.controllerPauses; // the toolstack's own pauses stay
        d.vmEventPause[v] = 0;
        d.ringSleep[v] = 0;
        d.blackEye[v] = 0;
        d.waitGfn[v] = -1;
      }
      this.watch.set(domid, { responses: paging.counters.responses, since: nowNs, resumed: true });
      return 'resumed';
    }
    d.crashed = `the pager answered nothing for ${(nowNs - seen.since) / 1e6} ms of virtual time while vcpus waited on it`;
    return 'crashed';
  }

  /** The generated bytes a gfn holds now, for tests and tools (a paged gfn has none: `undefined`). */
  readGfn(domid: number, gfn: number): Uint8Array | undefined {
    const d = this.domain(domid);
    const mfn = d.p2mMfn[gfn]!;
    if (mfn === INVALID_MFN) return undefined;
    const bytes = new Uint8Array(PAGE_BYTES);
    this.fillFrame(d, mfn, bytes);
    return bytes;
  }

  /**
   * Checks the content of every RAM gfn of the domain against what the guest last wrote: the
   * end-of-run integrity check. Ballooned-out gfns hold no content and are skipped; a gfn still paged
   * out counts as a mismatch.
   *
   * @param gfns - only the gfns `[start, end)` (default all), so a large guest can be checked in parts
   * with progress in between
   * @returns how many gfns were checked, and the gfns whose content is wrong
   */
  contentMismatches(domid: number, gfns: { readonly start: number; readonly end: number } = { start: 0, end: Number.POSITIVE_INFINITY }): IntegrityCheck {
    const d = this.domain(domid);
    const actual = new Uint8Array(PAGE_BYTES);
    const expected = Buffer.alloc(PAGE_BYTES);
    const actualBuffer = Buffer.from(actual.buffer);
    const mismatches: number[] = [];
    let checked = 0;
    for (const range of d.e820) {
      if (range.type !== 'ram') continue;
      for (let gfn = Math.max(range.start, gfns.start), end = Math.min(range.end, gfns.end); gfn < end; gfn++) {
        if (d.p2mType[gfn] === P2mType.invalid) continue;
        checked++;
        const mfn = d.p2mMfn[gfn]!;
        if (mfn === INVALID_MFN) {
          mismatches.push(gfn);
          continue;
        }
        this.fillFrame(d, mfn, actual);
        fillPageContent(expected, d.seed, gfn, d.version[gfn]!);
        if (!actualBuffer.equals(expected)) mismatches.push(gfn);
      }
    }
    return { checked, mismatches };
  }

  /** The content `gfn` must have: generated from (seed, gfn, version). */
  expectedContent(domid: number, gfn: number): Uint8Array {
    const d = this.domain(domid);
    const bytes = new Uint8Array(PAGE_BYTES);
    fillPageContent(bytes, d.seed, gfn, d.version[gfn]!);
    return bytes;
  }

  // --- internals ---

  private pagingOf(d: SimDomain, gfn: number): DomainPaging {
    if (d.paging === undefined) throw new HypervisorError('ENODEV', `domain ${d.domid} has no paging ring`, { domid: d.domid, gfn });
    if (!Number.isInteger(gfn) || gfn < 0 || gfn >= d.maxPages) throw this.refuse('EINVAL', d, gfn, `gfn is beyond max_pages ${d.maxPages}`);
    return d.paging;
  }

  private refuse(errno: 'EBUSY' | 'EINVAL' | 'EAGAIN' | 'ENOENT' | 'ENOMEM', d: SimDomain, gfn: number, why: string): HypervisorError {
    // Every refusal here is an answer the pager handles (a foreign map's ENOENT starts each page-in,
    // nominate's EBUSY skips a busy page), tens of thousands a second: no stack trace.
    return HypervisorError.refusal(errno, `domain ${d.domid} gfn 0x${gfn.toString(16)}: ${why}`, { domid: d.domid, gfn });
  }

  private populateOrCrash(d: SimDomain, gfn: number, caller: number): void {
    if (d.paging === undefined) {
      // p2m_mem_paging_populate with no ring: domain_crash.
      d.crashed = `gfn 0x${gfn.toString(16)} was touched while paged out and no pager ring exists`;
      if (caller >= 0) d.pauseCount[caller]!++; // a guest vcpu (foreign callers are negative)
      return;
    }
    d.paging.populate(gfn, caller);
  }

  /** The frame a foreign or grant mapping of `gfn` takes, or the error Xen gave (`get_page_from_gfn` on a paging type, `xen/arch/x86/mm/p2m.c`). */
  private mappableFrame(d: SimDomain, gfn: number, op: string): number {
    if (!Number.isInteger(gfn) || gfn < 0 || gfn >= d.maxPages) throw this.refuse('EINVAL', d, gfn, `${op}: gfn is beyond max_pages ${d.maxPages}`);
    const type = d.p2mType[gfn]!;
    const mfn = d.p2mMfn[gfn]!;
    if (isPagingType(type)) {
      const anyState = d.paging?.protocol.foreignMapEnoent === 'any-paging-state';
      if (anyState || type === P2mType.ram_paged) {
        if (type === P2mType.ram_paged || type === P2mType.ram_paging_out) this.populateOrCrash(d, gfn, foreignCaller(this.controlVcpu));
        throw this.refuse('ENOENT', d, gfn, `${op}: gfn is paged out; retry`);
      }
      if (mfn === INVALID_MFN) throw this.refuse('ENOENT', d, gfn, `${op}: gfn is being paged in; retry`);
      return mfn; // paging_out and paging_in with a frame still map (the reference makes evict fail)
    }
    if (mfn === INVALID_MFN || !isGuestRam(type)) throw this.refuse('EINVAL', d, gfn, `${op}: gfn is not guest RAM`);
    return mfn;
  }

  /** A write of new content into `gfn`'s frame, seen by every mapping of it. */
  private guestWrite(d: SimDomain, gfn: number): void {
    this.writeVersion(d, gfn, d.p2mMfn[gfn]!, ++d.version[gfn]!);
  }

  private writeVersion(d: SimDomain, gfn: number, mfn: number, version: number): void {
    this.frames.contentGfn[mfn] = gfn;
    this.frames.contentVersion[mfn] = version;
    // Writable mappings share the frame's bytes: rewrite them in place so every mapper sees the write.
    const written = this.frames.written.get(mfn);
    if (written !== undefined) fillPageContent(written, d.seed, gfn, version);
    const readers = this.readers.get(mfn);
    if (readers !== undefined) for (const reader of readers) fillPageContent(reader.bytes, d.seed, gfn, version);
  }

  /** `guest_remove_page`: ram → freed; a paging gfn → p2m invalid, then DROP_PAGE. */
  private removeGfn(d: SimDomain, gfn: number, caller: number): boolean {
    const type = d.p2mType[gfn]!;
    const mfn = d.p2mMfn[gfn]!;
    if (type === P2mType.invalid) return false;
    // RELEASE-4.0.0 guest_remove_page: a gfn without a valid frame is "invalid" and stays (paged).
    if (mfn === INVALID_MFN && isPagingType(type) && d.paging !== undefined && !d.paging.protocol.dropPage) return false;
    d.p2mType[gfn] = P2mType.invalid;
    d.p2mMfn[gfn] = INVALID_MFN;
    if (mfn !== INVALID_MFN) this.releaseFrame(d, mfn);
    if (isPagingType(type) && d.paging !== undefined && d.paging.protocol.dropPage) d.paging.dropPage(gfn, type, caller, mfn !== INVALID_MFN);
    return true;
  }

  /** Drops the domain's allocation reference of a frame, M2P invalidated. */
  private releaseFrame(d: SimDomain, mfn: number): void {
    this.frames.m2p[mfn] = INVALID_M2P_ENTRY;
    if (this.frames.allocated[mfn] === 1) {
      d.totPages--;
      this.frames.release(mfn);
    }
  }

  private loadContent(d: SimDomain, gfn: number, mfn: number, buffer: Uint8Array): void {
    if (isPageContent(buffer, d.seed, gfn, d.version[gfn]!, this.scratch)) {
      this.frames.contentGfn[mfn] = gfn;
      this.frames.contentVersion[mfn] = d.version[gfn]!;
    } else {
      this.frames.written.set(mfn, buffer.slice());
    }
  }

  /**
   * Folds written bytes back into generated content when they match the gfn's version, so memory stays
   * bounded; a mismatch is left in place for the auditor to report.
   */
  private settleContent(d: SimDomain, gfn: number, op: string): void {
    const mfn = d.p2mMfn[gfn]!;
    const written = this.frames.written.get(mfn);
    if (written === undefined || this.frames.mapped[mfn]! > 0) return;
    if (isPageContent(written, d.seed, gfn, d.version[gfn]!, this.scratch)) {
      this.frames.written.delete(mfn);
      this.frames.contentGfn[mfn] = gfn;
      this.frames.contentVersion[mfn] = d.version[gfn]!;
    } else if (isGuestRam(d.p2mType[gfn]!)) {
      this.auditor?.contentLost(d, gfn, mfn, op);
    }
  }

  private fillFrame(d: SimDomain, mfn: number, out: Uint8Array): void {
    const written = this.frames.written.get(mfn);
    if (written !== undefined) out.set(written);
    else if (this.frames.contentGfn[mfn]! < 0) out.fill(0);
    else fillPageContent(out, d.seed, this.frames.contentGfn[mfn]!, this.frames.contentVersion[mfn]!);
  }

  private audit(d: SimDomain, gfn: number, op: string): void {
    if (this.auditor === undefined) return;
    if (gfn >= 0) this.auditor.checkGfn(d, gfn, op);
    this.auditor.checkCounters(d, op);
  }
}
