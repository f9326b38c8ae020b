import { InvariantViolation } from './invariant-violation.js';
import { INVALID_MFN, P2mType, isGuestRam, isPagingType } from './sim-constants.js';
import type { SimDomain } from './sim-domain.js';
import type { MachineFrames } from './machine-frames.js';

/** Domains up to this size get their counters recounted after every operation. */
const RECOUNT_LIMIT = 1 << 16;

/**
 * Checks the simulator's invariants (paging-model §3) and throws an {@link InvariantViolation} naming
 * the domain, gfn, mfn and operation on the first one that breaks:
 *
 * - p2m and M2P agree: a gfn's frame maps back to the gfn and belongs to the domain;
 * - a frame's reference count equals its allocation reference plus the foreign and grant mappings of it;
 * - a paged gfn has no frame, and `paged_pages` counts exactly the paging gfns without a frame;
 * - `tot_pages` counts exactly the domain's allocated frames;
 * - every RAM gfn holds the content version the guest last wrote.
 *
 * @example
 * ```ts
 * const auditor = new InvariantAuditor(hv.frames);
 * auditor.auditDomain(hv.domain(domid), 'end of test'); // throws an InvariantViolation naming the gfn
 * ```
 */
export class InvariantAuditor {
  /** @param frames - the machine frames of the hypervisor to check */
  constructor(private readonly frames: MachineFrames) {}

  /** Checks one gfn after `op`. */
  checkGfn(d: SimDomain, gfn: number, op: string): void {
    const f = this.frames;
    const type = d.p2mType[gfn]!;
    const mfn = d.p2mMfn[gfn]!;
    const at = { domid: d.domid, gfn, mfn, op };
    if (mfn === INVALID_MFN) {
      if (isGuestRam(type)) throw new InvariantViolation(at, `${typeName(type)} gfn has no frame`);
      return;
    }
    if (type === P2mType.ram_paged) throw new InvariantViolation(at, 'a paged gfn still has a frame');
    if (f.m2p[mfn] !== gfn) throw new InvariantViolation(at, `p2m and M2P disagree: M2P says gfn ${f.m2p[mfn] === -1 ? 'INVALID' : `0x${f.m2p[mfn]!.toString(16)}`}`);
    if (f.owner[mfn] !== d.domid || f.allocated[mfn] !== 1) throw new InvariantViolation(at, `frame is not allocated to the domain (owner ${f.owner[mfn]})`);
    this.checkRefs(d, mfn, op, gfn);
    if (isGuestRam(type) && !f.written.has(mfn) && (f.contentGfn[mfn] !== gfn || f.contentVersion[mfn] !== d.version[gfn])) {
      throw new InvariantViolation(at, `content is gfn 0x${f.contentGfn[mfn]!.toString(16)} version ${f.contentVersion[mfn]}, the guest wrote version ${d.version[gfn]}`);
    }
  }

  /** Recounts `paged_pages` and `tot_pages` (domains up to 64 Ki gfns; use {@link auditDomain} beyond). */
  checkCounters(d: SimDomain, op: string): void {
    if (d.maxPages <= RECOUNT_LIMIT) this.recount(d, op);
  }

  /** Everything, for one domain: every gfn, every frame it owns, the counters. */
  auditDomain(d: SimDomain, op = 'audit'): void {
    for (let gfn = 0; gfn < d.maxPages; gfn++) this.checkGfn(d, gfn, op);
    const f = this.frames;
    for (let mfn = 0; mfn < f.size; mfn++) {
      if (f.refs[mfn] === 0 && f.m2p[mfn] !== -1) {
        throw new InvariantViolation({ domid: d.domid, gfn: f.m2p[mfn]!, mfn, op }, 'a free frame has a stale M2P entry');
      }
      if (f.owner[mfn] !== d.domid) continue;
      const gfn = f.m2p[mfn]!;
      if (gfn !== -1 && d.p2mMfn[gfn] !== mfn) throw new InvariantViolation({ domid: d.domid, gfn, mfn, op }, 'M2P names a gfn whose p2m entry is another frame');
      this.checkRefs(d, mfn, op, gfn);
    }
    this.recount(d, op);
  }

  /** Reports written bytes that are not the content the guest last wrote. */
  contentLost(d: SimDomain, gfn: number, mfn: number, op: string): never {
    throw new InvariantViolation({ domid: d.domid, gfn, mfn, op }, `page content is not version ${d.version[gfn]} (lost or corrupted by paging)`);
  }

  private checkRefs(d: SimDomain, mfn: number, op: string, gfn: number): void {
    const f = this.frames;
    const expected = f.allocated[mfn]! + f.mapped[mfn]!;
    if (f.refs[mfn] !== expected) {
      throw new InvariantViolation({ domid: d.domid, gfn, mfn, op }, `reference count ${f.refs[mfn]} ≠ allocation ${f.allocated[mfn]} + mappings ${f.mapped[mfn]}`);
    }
  }

  private recount(d: SimDomain, op: string): void {
    let paged = 0;
    let allocated = 0;
    for (let gfn = 0; gfn < d.maxPages; gfn++) {
      const mfn = d.p2mMfn[gfn]!;
      if (mfn === INVALID_MFN) {
        if (isPagingType(d.p2mType[gfn]!)) paged++;
      } else if (this.frames.allocated[mfn] === 1) {
        allocated++;
      }
    }
    if (paged !== d.pagedPages) throw new InvariantViolation({ domid: d.domid, gfn: -1, mfn: -1, op }, `paged_pages is ${d.pagedPages}, ${paged} gfns are paged out`);
    if (allocated !== d.totPages) throw new InvariantViolation({ domid: d.domid, gfn: -1, mfn: -1, op }, `tot_pages is ${d.totPages}, the p2m holds ${allocated} allocated frames`);
  }
}

function typeName(type: number): string {
  return Object.entries(P2mType).find(([, value]) => value === type)?.[0] ?? String(type);
}
