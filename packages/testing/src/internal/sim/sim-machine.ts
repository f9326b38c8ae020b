import { HypervisorError } from '@pagevisor/core';
import type { DomainPaging } from '../../sim/domain-paging.js';
import type { InvariantAuditor } from '../../sim/invariant-auditor.js';
import type { MachineFrames } from '../../sim/machine-frames.js';
import { INVALID_M2P_ENTRY, INVALID_MFN, P2mType, isPagingType } from '../../sim/sim-constants.js';
import type { SimDomain } from '../../sim/sim-domain.js';
import type { FrameContents } from './frame-contents.js';

/** The refusals the simulator answers paging and mapping calls with. */
export type SimRefusal = 'EBUSY' | 'EINVAL' | 'EAGAIN' | 'ENOENT' | 'ENOMEM';

/**
 * What every part of the simulated Xen shares: the frames and their contents, the domains, the
 * auditor, whether Xen's bugs are kept, and the few steps several hypercalls take alike (Xen's
 * `get_page`/`put_page` bookkeeping is in {@link MachineFrames}).
 */
export class SimMachine {
  /** The vcpu of the control domain foreign calls run on now (`current->vcpu_id`). */
  controlVcpu = 0;

  constructor(
    readonly frames: MachineFrames,
    readonly contents: FrameContents,
    readonly domains: ReadonlyMap<number, SimDomain>,
    readonly auditor: InvariantAuditor | undefined,
    readonly xenBugs: boolean,
  ) {}

  /** The domain with this id. @throws HypervisorError `ESRCH` */
  domain(domid: number): SimDomain {
    const domain = this.domains.get(domid);
    if (domain === undefined) throw new HypervisorError('ESRCH', `no domain ${domid}`, { domid });
    return domain;
  }

  /** The domain's paging, for a paging call on `gfn`. @throws HypervisorError `ENODEV` without a ring, `EINVAL` past max_pages */
  pagingOf(d: SimDomain, gfn: number): DomainPaging {
    if (d.paging === undefined) throw new HypervisorError('ENODEV', `domain ${d.domid} has no paging ring`, { domid: d.domid, gfn });
    if (!Number.isInteger(gfn) || gfn < 0 || gfn >= d.maxPages) throw this.refuse('EINVAL', d, gfn, `gfn is beyond max_pages ${d.maxPages}`);
    return d.paging;
  }

  /**
   * A refusal: every one is an answer the pager handles (a foreign map's ENOENT starts each page-in,
   * nominate's EBUSY skips a busy page), tens of thousands a second, so it has no stack trace.
   */
  refuse(errno: SimRefusal, d: SimDomain, gfn: number, why: string): HypervisorError {
    return HypervisorError.refusal(errno, `domain ${d.domid} gfn 0x${gfn.toString(16)}: ${why}`, { domid: d.domid, gfn });
  }

  /** `p2m_mem_paging_populate`; with no ring, `domain_crash` (and the guest vcpu stays paused). */
  populateOrCrash(d: SimDomain, gfn: number, caller: number): void {
    if (d.paging === undefined) {
      d.crashed = `gfn 0x${gfn.toString(16)} was touched while paged out and no pager ring exists`;
      if (caller >= 0) d.pause.count[caller]!++; // a guest vcpu (foreign callers are negative)
      return;
    }
    d.paging.populate(gfn, caller);
  }

  /** Drops the domain's allocation reference of a frame, M2P invalidated. */
  releaseFrame(d: SimDomain, mfn: number): void {
    this.frames.tables.m2p[mfn] = INVALID_M2P_ENTRY;
    if (this.frames.tables.allocated[mfn] === 1) {
      d.totPages--;
      this.frames.release(mfn);
    }
  }

  /** `guest_remove_page`: ram → freed; a paging gfn → p2m invalid, then DROP_PAGE. */
  removeGfn(d: SimDomain, gfn: number, caller: number): boolean {
    const type = d.p2m.type[gfn]!;
    const mfn = d.p2m.mfn[gfn]!;
    if (type === P2mType.invalid) return false;
    // RELEASE-4.0.0 guest_remove_page: a gfn without a valid frame is "invalid" and stays (paged).
    if (mfn === INVALID_MFN && isPagingType(type) && d.paging !== undefined && !d.paging.protocol.dropPage) return false;
    d.p2m.type[gfn] = P2mType.invalid;
    d.p2m.mfn[gfn] = INVALID_MFN;
    d.dirtyLog?.mark(gfn); // gone: a migration sends it as invalid (XTAB)
    if (mfn !== INVALID_MFN) this.releaseFrame(d, mfn);
    if (isPagingType(type) && d.paging !== undefined && d.paging.protocol.dropPage) d.paging.dropPage(gfn, type, caller, mfn !== INVALID_MFN);
    return true;
  }

  /** With auditing on, the invariants of `gfn` (if any) and the domain's counters after `op`. */
  audit(d: SimDomain, gfn: number, op: string): void {
    if (this.auditor === undefined) return;
    if (gfn >= 0) this.auditor.checkGfn(d, gfn, op);
    this.auditor.checkCounters(d, op);
  }
}
