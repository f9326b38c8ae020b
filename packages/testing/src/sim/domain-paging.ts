import { FrontRing, HypervisorError, pagingFlagTest, type P2mTypeName, type PagingAbi, type PagingMessage, type PagingProtocol, RingSlotAccounting, SharedRing, type VmEventMessage, xen } from '@pagevisor/core';
import { Subject, type Observable } from 'rxjs';
import type { MachineFrames } from './machine-frames.js';
import type { VcpuPauseState } from './vcpu-pause-state.js';
import { INVALID_MFN, P2mType, isPagingType } from './sim-constants.js';

const { MEM_EVENT_FLAG_DROP_PAGE, MEM_EVENT_FLAG_DUMMY, MEM_EVENT_FLAG_EVICT_FAIL, MEM_EVENT_FLAG_FOREIGN, MEM_EVENT_FLAG_VCPU_PAUSED, MEM_EVENT_TYPE_PAGING, MEM_PAGING_DROP_PAGE, MEM_PAGING_EVICT_FAIL, VM_EVENT_FLAG_FOREIGN, VM_EVENT_FLAG_VCPU_PAUSED, VM_EVENT_REASON_MEM_PAGING } = xen;

/**
 * Counters a test or a report reads.
 *
 * @example
 * ```ts
 * const { requests, responses, ringFull } = hv.domain(domid).paging!.counters;
 * ```
 */
export interface PagingCounters {
  /** Requests put on the ring. */
  requests: number;
  /** Responses consumed. */
  responses: number;
  /** Responses dropped by `vm_event_resume` (wrong version, bad vcpu, vcpu not vm_event-paused). */
  droppedResponses: number;
  /** DROP_PAGE requests never sent because no slot was free (Xen: "we allow no ring in this unique case"). */
  lostDrops: number;
  /** Populates that found the ring full (4.1 threshold) or no slot (4.2+ claim). */
  ringFull: number;
}

/**
 * Who raised a populate: a vcpu of the guest (its index, 0 or more) or another domain, encoded as a
 * negative number that carries the vcpu of the calling domain it ran on ({@link foreignCaller}):
 * Xen's requests carry `current->vcpu_id` whoever the caller is. `FOREIGN_CALLER` is vcpu 0 of the
 * control domain.
 *
 * @example
 * ```ts
 * hv.hvmCopy(domid, FOREIGN_CALLER, gfn); // a copy by the hypervisor, not by a guest vcpu
 * ```
 */
export const FOREIGN_CALLER = -1;

/**
 * The caller for a foreign call made on vcpu `vcpu` of the calling (control) domain.
 *
 * @example
 * ```ts
 * hv.hvmCopy(domid, foreignCaller(3), gfn); // dom0's vcpu 3 copies into the guest
 * ```
 */
export function foreignCaller(vcpu: number): number {
  return -1 - vcpu;
}

function isForeign(caller: number): boolean {
  return caller < 0;
}

/** The `vcpu_id` a request carries: `current->vcpu_id`, the guest's or the foreign caller's. */
function requestVcpu(caller: number): number {
  return caller < 0 ? -1 - caller : caller;
}

/**
 * What a domain's paging acts on: its vcpus' pause state, its p2m and its counters (a `SimDomain`).
 *
 * @example
 * ```ts
 * const paged: PagedDomain = hv.domain(domid);
 * ```
 */
export interface PagedDomain extends VcpuPauseState {
  /** The domain id. */
  readonly domid: number;
  /** gfns are `[0, maxPages)`. */
  readonly maxPages: number;
  /** @internal the writable p2m: the frame behind each gfn (or `INVALID_MFN`) and its type */
  readonly p2m: { readonly mfn: Int32Array; readonly type: Uint8Array };
  /** The machine's frames. */
  readonly frames: MachineFrames;
  /** `d->paged_pages`. */
  pagedPages: number;
  /** Set by `domain_crash`. */
  crashed: string | undefined;
}

/**
 * The paging side of one simulated domain, per its ABI: the ring (front end), slot accounting, wait
 * queues, and the hypervisor half of every paging operation (`p2m.c` and `mem_event.c`/`vm_event.c` of each era).
 *
 * @example
 * ```ts
 * const paging = hv.domain(domid).paging!; // once paging is enabled
 * console.log(paging.counters.requests, paging.counters.ringFull);
 * ```
 */
export class DomainPaging {
  /** The ABI on the ring: the hypervisor's, whatever the pager speaks. */
  readonly abi: PagingAbi;
  /** Its protocol behaviour. */
  readonly protocol: PagingProtocol;
  /** The ring page. */
  readonly ring: SharedRing;
  /** The hypervisor's end of the ring. */
  readonly front: FrontRing;
  /** 4.2+ slot accounting (unused by threshold-era ABIs). */
  readonly slots: RingSlotAccounting;
  /** Event channel to the pager: one emission per notification Xen sends. */
  readonly notify$: Observable<void>;
  private readonly notify = new Subject<void>();
  /** The event channel port number. */
  readonly port: number;
  /** Counters. */
  readonly counters: PagingCounters = { requests: 0, responses: 0, droppedResponses: 0, lostDrops: 0, ringFull: 0 };
  private readonly domain: PagedDomain;
  /** Vcpus sleeping on the 4.2+ wait queue for a slot, in arrival order. */
  private readonly waitQueue: number[] = [];
  /** 4.2+: the DROP_PAGE a vcpu asleep on the wait queue sends once it gets a slot. */
  private readonly pendingDrops = new Map<number, { readonly gfn: number; readonly oldType: number }>();
  /** SUSE age 3: vcpus waiting per gfn (`p2m_mem_paging_wait`). */
  private readonly gfnWaiters = new Map<number, number[]>();
  private lastVcpuWake = 0;
  /** Simulator p2m type → the number the ABI's `p2mt` field carries. */
  private readonly p2mtOnWire: Int32Array;
  private readonly responseBatch: PagingMessage[] = [];
  private readonly vmEvent: boolean;
  /** DROP_PAGE where this ABI keeps it (Xen 4.0 has none: its bit 1 is DOM_PAUSED). */
  private readonly isDrop: (message: PagingMessage) => boolean;
  private pendingNotify = false;
  /** Called after resume returns a gfn to the guest, so its content can be checked. */
  private readonly onPagedIn: (gfn: number) => void;

  /** @internal made by `SimHypervisor.enablePaging` */
  constructor(domain: PagedDomain, abi: PagingAbi, port: number, onPagedIn: (gfn: number) => void) {
    this.domain = domain;
    this.notify$ = this.notify.asObservable();
    this.onPagedIn = onPagedIn;
    this.abi = abi;
    this.protocol = abi.protocol;
    this.vmEvent = this.abi.family === 'vm_event';
    this.isDrop = pagingFlagTest(abi, 'DROP_PAGE');
    this.ring = SharedRing.create(this.abi.entryBytes);
    this.front = new FrontRing(this.ring);
    this.slots = new RingSlotAccounting(this.front);
    this.port = port;
    this.p2mtOnWire = new Int32Array(16).fill(-1);
    for (const [name, number] of Object.entries(P2mType)) {
      const wire = this.protocol.p2mTypes[name as P2mTypeName];
      if (wire !== undefined) this.p2mtOnWire[number] = wire;
    }
  }

  /** Vcpus waiting for a ring slot. */
  get waiters(): number {
    return this.waitQueue.length;
  }

  // --- populate (p2m_mem_paging_populate) ---

  /**
   * A guest vcpu or a foreign domain touched a paging gfn: start its page-in. For a guest vcpu the
   * outcome shows in its pause state; the access is retried when the vcpu runs again.
   *
   * @param caller - the faulting vcpu, or {@link FOREIGN_CALLER}
   * @returns false when a foreign caller found no slot (Xen: `-EBUSY`, nothing sent)
   */
  populate(gfn: number, caller: number): boolean {
    let sent: boolean;
    if (this.protocol.oneRequestPerGfn) sent = this.populateAge3(gfn, caller);
    else if (this.protocol.fullRing === 'threshold') sent = this.populate41(gfn, caller);
    else sent = this.populate42(gfn, caller);
    this.flushNotify();
    return sent;
  }

  /**
   * Xen 4.0 and 4.1 (ages 1 and 2): `p2m_mem_paging_populate` with `mem_event_check_ring`. 4.0 sends a
   * foreign caller's request whatever the type; its populate also turned a `paging_in` gfn back into
   * `paging_in_start`, dropping the frame prep gave it: the simulator keeps 4.1's rule instead.
   */
  private populate41(gfn: number, caller: number): boolean {
    const d = this.domain;
    if (this.ringFull(caller)) return !isForeign(caller);
    const old = d.p2m.type[gfn]!;
    // paged → paging_in_start with no frame; paging_out is left as is (its frame is still attached).
    if (old === P2mType.ram_paged) d.p2m.type[gfn] = P2mType.ram_paging_in_start;
    let flags = 0;
    if (!isForeign(caller)) {
      d.pause.count[caller]!++;
      flags = MEM_EVENT_FLAG_VCPU_PAUSED;
    } else if (old !== P2mType.ram_paging_out && old !== P2mType.ram_paged && this.protocol.codeBase !== '4.0') {
      return true; // 4.1: a foreign touch of a page already on its way in sends nothing
    }
    this.pushRequest(gfn, old, requestVcpu(caller), flags, false, false, false);
    return true;
  }

  /**
   * SUSE age 3: one request per gfn, per-gfn wait queues instead of VCPU_PAUSED, and a claimed slot for
   * the request (a guest vcpu sleeps on the ring's wait queue until one is free, a foreign caller sends
   * nothing).
   */
  private populateAge3(gfn: number, caller: number): boolean {
    const d = this.domain;
    const old = d.p2m.type[gfn]!;
    if (old === P2mType.ram_paging_out && d.p2m.mfn[gfn] !== INVALID_MFN) {
      d.p2m.type[gfn] = P2mType.ram_rw; // still mapped: restored at once, no request
      return true;
    }
    if (old === P2mType.ram_paged) {
      const producer = isForeign(caller) ? 'foreign' : 'target';
      if (!this.slots.tryClaim(producer)) return this.noSlot(caller);
      d.p2m.type[gfn] = P2mType.ram_paging_in_start;
      // The 4.1 layout has no FOREIGN flag; the request carries the caller's vcpu.
      this.putRequest(producer, gfn, old, requestVcpu(caller), false, false, false, false);
    }
    if (!isForeign(caller) && isPagingType(d.p2m.type[gfn]!)) this.waitOnGfn(caller, gfn);
    return true;
  }

  /** Xen 4.2+ (and vm_event): claim a slot, fix the p2m, pause, put the request. */
  private populate42(gfn: number, caller: number): boolean {
    const d = this.domain;
    const producer = isForeign(caller) ? 'foreign' : 'target';
    if (!this.slots.tryClaim(producer)) return this.noSlot(caller);
    const old = d.p2m.type[gfn]!;
    let evictFail = false;
    if (old === P2mType.ram_paging_out) {
      d.p2m.type[gfn] = P2mType.ram_paging_in; // frame kept: evict will now fail
      evictFail = true;
    } else if (old === P2mType.ram_paged) {
      d.p2m.type[gfn] = P2mType.ram_paging_in;
    }
    let paused = false;
    if (isPagingType(old) && !isForeign(caller)) {
      if (this.vmEvent) d.pause.vmEvent[caller]!++; // vm_event_vcpu_pause
      d.pause.count[caller]!++;
      paused = true;
    } else if (old !== P2mType.ram_paging_out && old !== P2mType.ram_paged) {
      this.slots.cancel(producer);
      this.wake();
      return true;
    }
    this.putRequest(producer, gfn, old, requestVcpu(caller), paused, isForeign(caller), false, evictFail);
    if (!isForeign(caller)) this.blackEye(caller);
    return true;
  }

  /**
   * `mem_event_claim_slot` found no slot: a guest vcpu sleeps on the wait queue and retries its access
   * when woken; a foreign caller gets `-EBUSY` and sends nothing (returns false).
   */
  private noSlot(caller: number): boolean {
    this.counters.ringFull++;
    if (isForeign(caller)) return false;
    this.domain.pause.ringSleep[caller] = 1;
    this.waitQueue.push(caller);
    return true;
  }

  // --- drop_page (p2m_mem_paging_drop_page) ---

  /** The guest removed a paging gfn (balloon): tell the pager to free its slot. */
  dropPage(gfn: number, oldType: number, caller: number, hadFrame: boolean): void {
    this.sendDrop(gfn, oldType, caller, hadFrame);
    this.flushNotify();
  }

  private sendDrop(gfn: number, oldType: number, caller: number, hadFrame: boolean): void {
    const d = this.domain;
    const evictFail = oldType === P2mType.ram_paging_out;
    // Xen decrements paged_pages for any non-paging_out type; a paging_in gfn that kept its frame was
    // never counted, so the simulator only decrements for gfns that had no frame.
    if (!evictFail && !hadFrame) d.pagedPages--;
    if (this.protocol.fullRing === 'threshold') {
      if (this.front.freeRequests < this.protocol.ringThreshold) {
        this.counters.lostDrops++;
        return;
      }
      this.pushRequest(gfn, oldType, requestVcpu(caller), 0, true, evictFail && this.protocol.evictFail, true);
      return;
    }
    const producer = isForeign(caller) ? 'foreign' : 'target';
    if (!this.slots.tryClaim(producer)) {
      // mem_event_claim_slot (4.2, vm_event_claim_slot later): a foreign caller gets -EBUSY and the
      // drop is lost; a guest vcpu sleeps on the wait queue and sends it once a slot is free. SUSE age 3
      // claims no slot for a drop but puts it straight into a free one, its put_request sleeping the
      // same way for a guest vcpu: the same outcome.
      if (isForeign(caller)) {
        this.counters.lostDrops++;
        return;
      }
      this.counters.ringFull++;
      this.domain.pause.ringSleep[caller] = 1;
      this.waitQueue.push(caller);
      this.pendingDrops.set(caller, { gfn, oldType });
      return;
    }
    this.putDrop(producer, gfn, oldType, caller);
  }

  private putDrop(producer: 'target' | 'foreign', gfn: number, oldType: number, caller: number): void {
    if (this.protocol.oneRequestPerGfn) {
      // SUSE age 3 (the 4.1 drop_page): vcpu_id set, type=PAGING, no FOREIGN flag, never EVICT_FAIL.
      this.putRequest(producer, gfn, oldType, requestVcpu(caller), false, false, true, false);
      return;
    }
    // 4.2+ p2m_mem_paging_drop_page fills only gfn and flags: vcpu 0.
    this.putRequest(producer, gfn, oldType, 0, false, isForeign(caller), true, oldType === P2mType.ram_paging_out);
  }

  // --- resume ---

  /**
   * Consumes responses: one per call for the Xen 4.1 domctl, every pending one for 4.2+, with the
   * DUMMY, version and vm_event-pause rules of each era.
   */
  resume(): void {
    const max = this.protocol.resume === 'one-per-call' ? 1 : Number.POSITIVE_INFINITY;
    const batch = this.responseBatch;
    const n = this.front.consumeResponses(this.abi, batch, max, false);
    for (let i = 0; i < n; i++) {
      this.counters.responses++;
      this.applyResponse(batch[i]!);
      if (this.protocol.fullRing === 'claim') this.wake();
    }
    // 4.1 mem_event_wake_waiters: every resume wakes all vcpus sleeping for ring space.
    if (this.protocol.fullRing === 'threshold') this.wakeAllSleepers();
    this.flushNotify(); // drops sent by vcpus the resume woke
  }

  private applyResponse(rsp: PagingMessage): void {
    const d = this.domain;
    const abi = this.abi;
    if (this.protocol.dummyResponses && (rsp.flags & MEM_EVENT_FLAG_DUMMY) !== 0) return;
    const vcpu = rsp.vcpuId;
    if (this.vmEvent) {
      // vm_event_resume: wrong version or vcpu → dropped; since 4.8, nothing happens unless the vcpu is
      // vm_event-paused (so a DROP_PAGE response with vcpu 0 often does nothing, 4481335590).
      if ((rsp as VmEventMessage).version !== Number(abi.generation) || vcpu >= d.vcpus) {
        this.counters.droppedResponses++;
        return;
      }
      if (this.protocol.resumeNeedsVmEventPause && d.pause.vmEvent[vcpu]! <= 0) {
        this.counters.droppedResponses++;
        return;
      }
    }
    // mem_event (RELEASE-4.1.0 and 4.2.0 p2m_mem_paging_resume) reads rsp.vcpu_id only to unpause a
    // VCPU_PAUSED vcpu: a foreign request's response, carrying the caller's vcpu, still fixes the p2m.
    const drop = this.isDrop(rsp);
    const gfn = rsp.gfn;
    // vm_event_resume runs p2m_mem_paging_resume only for reason MEM_PAGING; the unpause below does
    // not depend on the reason.
    const paging = !this.vmEvent || rsp.reason === VM_EVENT_REASON_MEM_PAGING;
    if (!drop && paging && gfn < d.maxPages) this.resumeGfn(gfn);
    const paused = (rsp.flags & (this.vmEvent ? VM_EVENT_FLAG_VCPU_PAUSED : MEM_EVENT_FLAG_VCPU_PAUSED)) !== 0;
    if (paused) {
      if (this.vmEvent) {
        if (d.pause.vmEvent[vcpu]! > 0) {
          d.pause.vmEvent[vcpu]!--;
          d.pause.count[vcpu]!--;
        }
      } else if (vcpu < d.vcpus && d.pause.count[vcpu]! > 0) {
        d.pause.count[vcpu]!--;
      }
    }
  }

  /**
   * `p2m_mem_paging_resume` for one gfn. Xen 4.1 (ages 1 and 2, RELEASE-4.1.0 `xen/arch/x86/mm/p2m.c`)
   * sets `ram_rw` whatever the type: a gfn nominated and not evicted (`paging_out`, frame kept) comes
   * back too, which is what ends a guest's faults on it. A gfn without a frame would become `ram_rw`
   * with no frame, which crashes the guest on its next access: the domain is crashed, saying why.
   * 4.2+ (and age 3's `paging_in_start`): only `paging_in` with a frame becomes `ram_rw`, M2P set.
   */
  private resumeGfn(gfn: number): void {
    const d = this.domain;
    const type = d.p2m.type[gfn]!;
    const mfn = d.p2m.mfn[gfn]!;
    const xen41 = this.protocol.codeBase !== '4.2' && !this.protocol.oneRequestPerGfn; // 4.0 and 4.1 alike
    if (xen41 && isPagingType(type)) {
      if (mfn === INVALID_MFN) {
        d.crashed ??= `gfn 0x${gfn.toString(16)}: a response made it ram_rw without a frame (Xen 4.1 p2m_mem_paging_resume does not check the type; answer a fault only after prep)`;
        return;
      }
      d.p2m.type[gfn] = P2mType.ram_rw;
      d.frames.tables.m2p[mfn] = gfn;
      this.onPagedIn(gfn);
      return;
    }
    const resumable = type === P2mType.ram_paging_in || (type === P2mType.ram_paging_in_start && this.protocol.oneRequestPerGfn);
    if (resumable && mfn !== INVALID_MFN) {
      d.p2m.type[gfn] = P2mType.ram_rw;
      d.frames.tables.m2p[mfn] = gfn;
      this.onPagedIn(gfn);
    }
    if (this.protocol.oneRequestPerGfn) this.wakeGfn(gfn);
  }

  // --- ring plumbing ---

  /** Threshold era (`mem_event_check_ring`): full below 4 free slots; a guest vcpu then sleeps. */
  private ringFull(caller: number): boolean {
    if (this.front.freeRequests >= this.protocol.ringThreshold) return false;
    this.counters.ringFull++;
    if (!isForeign(caller)) this.domain.pause.ringSleep[caller] = 1;
    return true;
  }

  /** Writes one request straight onto the ring (threshold era: no slot accounting). */
  private pushRequest(gfn: number, oldType: number, vcpu: number, flags: number, drop: boolean, evictFail: boolean, dropLeavesType: boolean): void {
    const message = this.buildRequest(gfn, oldType, vcpu, flags | (drop ? MEM_EVENT_FLAG_DROP_PAGE : 0) | (evictFail ? MEM_EVENT_FLAG_EVICT_FAIL : 0), drop);
    // 4.1 drop_page leaves `type` 0 (the request is memset): only populate sets MEM_EVENT_TYPE_PAGING.
    if (dropLeavesType && 'type' in message) message.type = 0;
    this.front.pushRequests(this.abi, [message]);
    this.counters.requests++;
    this.pendingNotify = true;
  }

  /** 4.2+ `mem_event_put_request`: into the claimed slot, FOREIGN for other domains, then notify. */
  private putRequest(
    producer: 'target' | 'foreign',
    gfn: number,
    oldType: number,
    vcpu: number,
    paused: boolean,
    foreign: boolean,
    drop: boolean,
    evictFail: boolean,
  ): void {
    let message: PagingMessage;
    if (this.vmEvent) {
      message = this.buildRequest(gfn, oldType, vcpu, (paused ? VM_EVENT_FLAG_VCPU_PAUSED : 0) | (foreign ? VM_EVENT_FLAG_FOREIGN : 0), drop);
      (message as VmEventMessage).pagingFlags = (drop ? MEM_PAGING_DROP_PAGE : 0) | (evictFail ? MEM_PAGING_EVICT_FAIL : 0);
    } else {
      const flags =
        (paused ? MEM_EVENT_FLAG_VCPU_PAUSED : 0) |
        (foreign ? MEM_EVENT_FLAG_FOREIGN : 0) |
        (drop ? MEM_EVENT_FLAG_DROP_PAGE : 0) |
        (evictFail ? MEM_EVENT_FLAG_EVICT_FAIL : 0);
      message = this.buildRequest(gfn, oldType, vcpu, flags, drop);
    }
    this.slots.putRequest(producer, this.abi, message);
    this.counters.requests++;
    this.pendingNotify = true;
  }

  /**
   * Notifies the pager once the operation that put requests is complete, so a pager that answers
   * synchronously never sees a half-done populate (Xen notifies last too).
   */
  private flushNotify(): void {
    if (!this.pendingNotify) return;
    this.pendingNotify = false;
    this.notify.next();
  }

  /** A request for `gfn`; a drop's carries p2mt 0 (p2m_mem_paging_drop_page fills only gfn and flags). */
  private buildRequest(gfn: number, oldType: number, vcpu: number, flags: number, drop: boolean): PagingMessage {
    const message = this.abi.create({ gfn, vcpuId: vcpu, flags });
    message.p2mt = drop ? 0 : Math.max(0, this.p2mtOnWire[oldType]!);
    if ('type' in message) message.type = MEM_EVENT_TYPE_PAGING;
    return message;
  }

  /**
   * After a guest request: `available < max_vcpus` pauses the vcpu ("black eye", 4.2+); from 4.9
   * (7f8445d967) not a vcpu that is vm_event-paused already.
   */
  private blackEye(vcpu: number): void {
    const d = this.domain;
    if (this.slots.available >= d.vcpus || d.pause.blackEye[vcpu] === 1) return;
    if (this.protocol.blackEye === 'per-free-slot' && d.pause.vmEvent[vcpu]! > 0) return;
    d.pause.blackEye[vcpu] = 1;
    d.pause.count[vcpu]!++;
  }

  /**
   * `mem_event_wake`: wake waiters for the free slots, else unblock black-eyed vcpus round-robin: while
   * fewer vcpus are online than slots are free (`online-count`), or one per free slot (`per-free-slot`,
   * 4.9's `vm_event_wake_blocked`).
   */
  private wake(): void {
    const d = this.domain;
    let available = this.slots.available;
    if (this.waitQueue.length > 0) {
      while (available-- > 0 && this.waitQueue.length > 0) {
        const v = this.waitQueue.shift()!;
        d.pause.ringSleep[v] = 0;
        // A vcpu that slept inside guest_remove_page sends its DROP_PAGE now, in the slot it waited for.
        const drop = this.pendingDrops.get(v);
        if (drop !== undefined && this.slots.tryClaim('target')) {
          this.pendingDrops.delete(v);
          this.putDrop('target', drop.gfn, drop.oldType, v);
        }
      }
      return;
    }
    let online = 0;
    if (this.protocol.blackEye === 'online-count') for (let v = 0; v < d.vcpus; v++) if (d.pause.blackEye[v] === 0) online++;
    for (let step = 0; step < d.vcpus && online < available; step++) {
      const v = (this.lastVcpuWake + 1 + step) % d.vcpus;
      if (d.pause.blackEye[v] === 1) {
        d.pause.blackEye[v] = 0;
        d.pause.count[v]!--;
        online++;
        this.lastVcpuWake = v;
      }
    }
  }

  private wakeAllSleepers(): void {
    this.domain.pause.ringSleep.fill(0);
  }

  private waitOnGfn(vcpu: number, gfn: number): void {
    this.domain.pause.waitGfn[vcpu] = gfn;
    const list = this.gfnWaiters.get(gfn);
    if (list === undefined) this.gfnWaiters.set(gfn, [vcpu]);
    else list.push(vcpu);
  }

  /** `p2m_mem_paging_wake_queue` (age 3). */
  private wakeGfn(gfn: number): void {
    const list = this.gfnWaiters.get(gfn);
    if (list === undefined) return;
    for (const v of list) this.domain.pause.waitGfn[v] = -1;
    this.gfnWaiters.delete(gfn);
  }

  /** The domain is destroyed: the event channel ends, with no check of who waits. */
  destroy(): void {
    this.notify.complete();
  }

  /**
   * Disable (`mem_event_disable`): refused while vcpus wait for slots; otherwise unblocks black-eyed
   * vcpus and ends the event channel.
   *
   * @throws {@link @pagevisor/core!HypervisorError | HypervisorError} `EBUSY` while the wait queue is not empty.
   */
  disable(): void {
    const d = this.domain;
    if (this.waitQueue.length > 0) {
      throw new HypervisorError('EBUSY', `domain ${d.domid}: ${this.waitQueue.length} vcpus wait for paging ring slots`, { domid: d.domid });
    }
    for (let v = 0; v < d.vcpus; v++) {
      if (d.pause.blackEye[v] === 1) {
        d.pause.blackEye[v] = 0;
        d.pause.count[v]!--;
      }
    }
    d.pause.ringSleep.fill(0);
    this.notify.complete();
  }
}
