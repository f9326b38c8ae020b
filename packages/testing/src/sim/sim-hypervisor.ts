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
import { DeadPagerWatchdog } from '../internal/sim/dead-pager-watchdog.js';
import { DirtyLog } from '../internal/sim/dirty-log.js';
import { DomainRestore } from '../internal/sim/domain-restore.js';
import { ForeignMappings } from '../internal/sim/foreign-mappings.js';
import { FrameContents } from '../internal/sim/frame-contents.js';
import { GuestOperations } from '../internal/sim/guest-operations.js';
import { P2mPaging } from '../internal/sim/p2m-paging.js';
import { SimMachine } from '../internal/sim/sim-machine.js';
import { DomainPaging, foreignCaller } from './domain-paging.js';
import { InvariantAuditor } from './invariant-auditor.js';
import { MachineFrames } from './machine-frames.js';
import { pageOfflineSysctl } from './page-offline-sysctl.js';
import { SimPv } from './pv/sim-pv.js';
import { DOMID_INVALID, DOMID_XEN, GNTST_EAGAIN, HVM_SPECIAL_PFN_BASE, INVALID_MFN } from './sim-constants.js';
import { MAX_SIM_PAGES, SimDomain, type SimDomainConfig } from './sim-domain.js';
import type { AccessOutcome, IntegrityCheck, SimHypervisorOptions, WatchdogAction } from './sim-hypervisor-options.js';

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
  get controlVcpu(): number {
    return this.machine.controlVcpu;
  }
  /**
   * The vcpu of the control domain that foreign calls (the pager's and backends' maps) run on now:
   * their requests carry it as `vcpu_id`, as Xen's carry `current->vcpu_id` (default 0).
   */
  set controlVcpu(vcpu: number) {
    this.machine.controlVcpu = vcpu;
  }
  /** Whether Xen's known bugs are reproduced (see {@link SimHypervisorOptions.xenBugs}). */
  readonly xenBugs: boolean;
  /** The PV side: page tables, grants, suspend, `XENMEM_exchange` (see {@link SimPv}). */
  readonly pv: SimPv;
  private readonly registry: AbiRegistry;
  private readonly domains = new Map<number, SimDomain>();
  private nextDomid = 1;
  private nextPort = 1;
  // Each job in its own part (src/internal/sim): frame contents and integrity, the p2m paging calls
  // of each era, foreign and grant mappings, the guest's own operations, the dead-pager watchdog.
  private readonly machine: SimMachine;
  private readonly contents: FrameContents;
  private readonly p2m: P2mPaging;
  private readonly mappings: ForeignMappings;
  private readonly guest: GuestOperations;
  private readonly deadPager: DeadPagerWatchdog;
  private readonly restore: DomainRestore;

  /** @param options - the announced ABI, machine size and auditing */
  constructor(options: SimHypervisorOptions = {}) {
    this.registry = options.registry ?? createDefaultAbiRegistry();
    this.xenAbi = this.registry.get(options.abi ?? 'vm_event/v7').id;
    this.frames = new MachineFrames(options.machineFrames ?? 1 << 18);
    this.auditor = options.audit === true ? new InvariantAuditor(this.frames) : undefined;
    this.xenBugs = options.xenBugs === true;
    this.contents = new FrameContents(this.frames, this.auditor);
    this.machine = new SimMachine(this.frames, this.contents, this.domains, this.auditor, this.xenBugs);
    this.p2m = new P2mPaging(this.machine);
    this.mappings = new ForeignMappings(this.machine);
    this.guest = new GuestOperations(this.machine);
    this.restore = new DomainRestore(this.machine);
    this.deadPager = new DeadPagerWatchdog(options.deadPager ?? { afterNs: 10_000_000, outcome: 'crash' });
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
    return this.contents.frameBytes(this.domains.get(this.frames.tables.owner[mfn]!), mfn);
  }

  /**
   * Creates an HVM domain and populates the RAM of its E820 map (none of it with `empty`).
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
      if (range.type !== 'ram' || config.empty === true) continue;
      for (let gfn = range.start; gfn < range.end; gfn++) domain.populateGfn(gfn);
    }
    domain.setTarget(domain.totPages);
    this.domains.set(domain.domid, domain);
    return domain;
  }

  /** The domain with this id. @throws {@link @pagevisor/core!HypervisorError | HypervisorError} `ESRCH` */
  domain(domid: number): SimDomain {
    return this.machine.domain(domid);
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
      const mfn = d.p2m.mfn[gfn]!;
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
    for (let v = 0; v < d.vcpus; v++) d.pause.count[v]!++;
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
    for (let v = 0; v < d.vcpus; v++) d.pause.count[v]!--;
  }

  // --- log-dirty (migration) ---

  /**
   * Turns log-dirty mode on (`XEN_DOMCTL_SHADOW_OP_ENABLE_LOGDIRTY`): from now on every gfn that changes
   * is logged until {@link SimHypervisor.dirtyGfns} cleans it: guest writes (the write fault and
   * `__hvm_copy`), writes through foreign and grant mappings, balloon out and in, and, unless Xen's
   * bugs are kept, evictions and page-ins (Xen logs neither; a migration of a paged guest needs both).
   *
   * @throws {@link @pagevisor/core!HypervisorError | HypervisorError} `EBUSY` when it is on already
   *
   * @example
   * ```ts
   * xen.enableLogDirty(guest.domid);
   * xen.guestAccess(guest.domid, 0, 100, true);
   * xen.dirtyGfns(guest.domid); // Uint32Array [100]
   * ```
   */
  enableLogDirty(domid: number): void {
    const d = this.domain(domid);
    if (d.dirtyLog !== undefined) throw new HypervisorError('EBUSY', `domain ${domid} is in log-dirty mode already`, { domid });
    d.dirtyLog = new DirtyLog(d.maxPages);
  }

  /** Turns log-dirty mode off (`XEN_DOMCTL_SHADOW_OP_OFF`); nothing happens when it is off. */
  disableLogDirty(domid: number): void {
    this.domain(domid).dirtyLog = undefined;
  }

  /**
   * The gfns logged since the last clean, in ascending order: `XEN_DOMCTL_SHADOW_OP_CLEAN` (the log
   * starts afresh), or with `clean: false` `_PEEK` (it is left as it is).
   *
   * @throws {@link @pagevisor/core!HypervisorError | HypervisorError} `EINVAL` when log-dirty mode is off
   */
  dirtyGfns(domid: number, clean = true): Uint32Array {
    const d = this.domain(domid);
    if (d.dirtyLog === undefined) throw new HypervisorError('EINVAL', `domain ${domid} is not in log-dirty mode`, { domid });
    return d.dirtyLog.take(clean);
  }

  // --- restore (the receiving end of a migration) ---

  /**
   * A restored page: `gfn` holds `bytes` (4096), populated with a new frame if it had none (a paged
   * gfn comes back in), overwritten if it had one (a page sent again in a later round).
   *
   * @throws {@link @pagevisor/core!HypervisorError | HypervisorError} `EINVAL` for a gfn beyond the domain or bytes that are not a page, `ENOMEM` without a free frame
   *
   * @example
   * ```ts
   * const target = xen.createDomain({ maxPages: 4096, seed: 7, empty: true });
   * xen.restorePage(target.domid, 100, bytes);
   * ```
   */
  restorePage(domid: number, gfn: number, bytes: Uint8Array): void {
    this.restore.restorePage(this.domain(domid), gfn, bytes);
  }

  /**
   * A restored gfn that is paged out: no frame, p2m `ram_paged`; the domain's pager holds its page
   * (a pager adopting it: `createPager`'s `pagedOut`).
   *
   * @throws {@link @pagevisor/core!HypervisorError | HypervisorError} `EINVAL` for a gfn beyond the domain
   */
  restorePaged(domid: number, gfn: number): void {
    this.restore.restorePaged(this.domain(domid), gfn);
  }

  /**
   * A restored gfn that is not part of the guest (Xen's XTAB: never populated, or ballooned out): its
   * frame, if any, is freed.
   *
   * @throws {@link @pagevisor/core!HypervisorError | HypervisorError} `EINVAL` for a gfn beyond the domain
   */
  restoreInvalid(domid: number, gfn: number): void {
    this.restore.restoreInvalid(this.domain(domid), gfn);
  }

  /**
   * Domain `domid` takes the write history of `source` (a domain of another simulated host, of the
   * same size and seed): the content versions its pages are checked against
   * ({@link SimHypervisor.contentMismatches}). The history is the simulator's truth about what the
   * guest wrote, not something a migration stream carries: the stream's bytes are what is checked.
   *
   * @throws {@link @pagevisor/core!HypervisorError | HypervisorError} `EINVAL` for a source of another size or seed
   */
  adoptVersions(domid: number, source: SimDomain): void {
    this.restore.adoptVersions(this.domain(domid), source);
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

  /**
   * A machine check finds frame `mfn` bad: it is marked `PGC_broken` (as Xen's MCE handler does before
   * it asks for the page to go offline), and stays so.
   *
   * @example
   * ```ts
   * hv.markBroken(mfn);
   * hv.pageOffline('offline', mfn); // AGAIN for an owned frame, and the owner is crashed
   * ```
   */
  markBroken(mfn: number): void {
    if (!Number.isInteger(mfn) || mfn < 0 || mfn >= this.frames.size) throw new HypervisorError('EINVAL', `no machine frame ${mfn}`);
    this.frames.tables.broken[mfn] = 1;
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
    const owner = this.frames.tables.owner[mfn];
    if (owner === undefined || owner === DOMID_INVALID || owner === DOMID_XEN) return undefined;
    return { domid: owner, gfn: this.frames.tables.m2p[mfn]! };
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
    d.paging = new DomainPaging(d, abi, this.nextPort++, (gfn) => this.contents.settle(d, gfn, 'resume'));
    // 4.2+: the ring lives in special_pfn(0), which the pager removes from the guest physmap.
    if (base === '4.2' && HVM_SPECIAL_PFN_BASE < d.maxPages) this.machine.removeGfn(d, HVM_SPECIAL_PFN_BASE, foreignCaller(this.controlVcpu));
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
    this.p2m.nominate(domid, gfn);
  }

  evict(domid: number, gfn: number): void {
    this.p2m.evict(domid, gfn);
  }

  prep(domid: number, gfn: number, buffer?: Uint8Array): void {
    this.p2m.prep(domid, gfn, buffer);
  }

  resume(domid: number): void {
    const d = this.domain(domid);
    const paging = d.paging;
    if (paging === undefined) throw new HypervisorError('ENODEV', `domain ${domid} has no paging ring`, { domid });
    paging.resume();
    this.audit(d, -1, 'resume');
  }

  mapForeign(domid: number, gfn: number, writable: boolean): ForeignMapping {
    return this.mappings.mapForeign(domid, gfn, writable);
  }

  unmapForeign(mapping: ForeignMapping): void {
    this.mappings.unmapForeign(mapping);
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
    return this.guest.guestAccess(domid, vcpu, gfn, write);
  }

  /** Whether a vcpu spinning on a `paging_in` gfn may run again; clears the spin when it may. */
  releaseSpin(domid: number, vcpu: number): void {
    this.guest.releaseSpin(domid, vcpu);
  }

  /**
   * `XENMEM_decrease_reservation` of one gfn by the guest (a balloon driver giving memory back): frees
   * its frame; for a paging gfn, Xen's `guest_remove_page` then sends DROP_PAGE.
   *
   * @returns whether the gfn was removed (the hypercall's `nr_done` for one extent): false when it was
   * not populated, or on Xen 4.0 for a paging gfn without a frame ("page number invalid")
   */
  decreaseReservation(domid: number, gfn: number, vcpu: number): boolean {
    return this.guest.decreaseReservation(domid, gfn, vcpu);
  }

  /** `XENMEM_populate_physmap` of one ballooned-out gfn: a fresh zeroed page, so a new content version. */
  populatePhysmap(domid: number, gfn: number): void {
    this.guest.populatePhysmap(domid, gfn);
  }

  /**
   * A backend grant-maps a guest page (`GNTTABOP_map_grant_ref`).
   *
   * @returns the mapping, or `GNTST_eagain` (−12) when the gfn is paging (its page-in has started)
   */
  grantMap(domid: number, gfn: number, writable: boolean): ForeignMapping | typeof GNTST_EAGAIN {
    return this.mappings.grantMap(domid, gfn, writable);
  }

  /**
   * The hypervisor copies into guest memory on behalf of a vcpu (`__hvm_copy`, as for a hypercall or
   * an emulated write). A paging gfn starts its page-in and answers `retry` (`HVMCOPY_gfn_paged_out`).
   */
  hvmCopy(domid: number, vcpu: number, gfn: number): 'done' | 'retry' {
    return this.guest.hvmCopy(domid, vcpu, gfn);
  }

  /**
   * A backend writes into a page it has mapped (a block read completing into a granted page): the guest
   * now expects the new content. If paging took the frame away meanwhile (the seed 003 race, only with
   * `xenBugs`), the write lands in a frame the guest no longer has, and the auditor reports the loss at
   * page-in.
   */
  backendWrite(mapping: ForeignMapping): void {
    this.mappings.backendWrite(mapping);
  }

  /**
   * The dead-pager watchdog, called with the virtual time whenever the guest cannot make progress: if
   * vcpus wait on paging and no response has been consumed for `deadPager.afterNs`, applies the
   * configured outcome, so that no scenario hangs.
   */
  watchdog(domid: number, nowNs: number): WatchdogAction {
    return this.deadPager.check(this.domain(domid), nowNs);
  }

  /** The generated bytes a gfn holds now, for tests and tools (a paged gfn has none: `undefined`). */
  readGfn(domid: number, gfn: number): Uint8Array | undefined {
    return this.contents.read(this.domain(domid), gfn);
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
    return this.contents.mismatches(this.domain(domid), gfns.start, gfns.end);
  }

  /** The content `gfn` must have: generated from (seed, gfn, version). */
  expectedContent(domid: number, gfn: number): Uint8Array {
    return this.contents.expected(this.domain(domid), gfn);
  }

  // --- internals ---

  private audit(d: SimDomain, gfn: number, op: string): void {
    this.machine.audit(d, gfn, op);
  }
}
