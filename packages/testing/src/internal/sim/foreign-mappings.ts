import { HypervisorError, type ForeignMapping } from '@pagevisor/core';
import { foreignCaller } from '../../sim/domain-paging.js';
import { fillPageContent } from '../../sim/page-content.js';
import { GNTST_EAGAIN, INVALID_MFN, P2mType, PageType, isGuestRam, isPagingType } from '../../sim/sim-constants.js';
import type { SimDomain } from '../../sim/sim-domain.js';
import type { SimMachine } from './sim-machine.js';
import type { SimMapping } from './sim-mapping.js';

/**
 * Foreign and grant mappings of guest pages: what the pager, a backend or the toolstack map, the
 * references they hold on the frame, and the ENOENT or GNTST_eagain that starts a page-in of a
 * paged-out gfn (`get_page_from_gfn` on a paging type).
 */
export class ForeignMappings {
  constructor(private readonly m: SimMachine) {}

  mapForeign(domid: number, gfn: number, writable: boolean): ForeignMapping {
    const d = this.m.domain(domid);
    const mfn = this.mappableFrame(d, gfn, 'map');
    const f = this.m.frames;
    f.get(mfn);
    f.tables.mapped[mfn]!++;
    if (writable) {
      f.tables.typeCount[mfn]!++;
      f.tables.type[mfn] = PageType.writable;
    }
    const mapping: SimMapping = { domid, gfn, mfn, writable, bytes: this.m.contents.mapBytes(d, mfn, writable), live: true };
    if (!writable) this.m.contents.addReader(mapping);
    this.m.audit(d, gfn, 'map');
    return mapping;
  }

  unmapForeign(mapping: ForeignMapping): void {
    const m = mapping as SimMapping;
    if (m.live !== true) throw new HypervisorError('EINVAL', `gfn ${m.gfn} of domain ${m.domid} is not mapped`, { domid: m.domid, gfn: m.gfn });
    m.live = false;
    if (!m.writable) this.m.contents.removeReader(m);
    const f = this.m.frames;
    f.tables.mapped[m.mfn]!--;
    if (m.writable && --f.tables.typeCount[m.mfn]! === 0) f.tables.type[m.mfn] = PageType.none;
    const d = this.m.domains.get(m.domid);
    f.put(m.mfn);
    if (d !== undefined && d.p2m.mfn[m.gfn] === m.mfn && isGuestRam(d.p2m.type[m.gfn]!)) this.m.contents.settle(d, m.gfn, 'unmap');
    if (d !== undefined) this.m.audit(d, m.gfn, 'unmap');
  }

  /** A backend grant-maps a guest page (`GNTTABOP_map_grant_ref`). */
  grantMap(domid: number, gfn: number, writable: boolean): ForeignMapping | typeof GNTST_EAGAIN {
    const d = this.m.domain(domid);
    if (isPagingType(d.p2m.type[gfn]!)) {
      this.m.populateOrCrash(d, gfn, foreignCaller(this.m.controlVcpu));
      this.m.audit(d, gfn, 'grant_map');
      return GNTST_EAGAIN;
    }
    return this.mapForeign(domid, gfn, writable);
  }

  /** A backend writes into a page it has mapped (a block read completing into a granted page): the guest now expects the new content. */
  backendWrite(mapping: ForeignMapping): void {
    const m = mapping as SimMapping;
    if (!m.live || !m.writable) throw new HypervisorError('EINVAL', `gfn ${m.gfn} of domain ${m.domid} is not mapped writable`, { domid: m.domid, gfn: m.gfn });
    const d = this.m.domain(m.domid);
    const version = ++d.p2m.version[m.gfn]!;
    d.dirtyLog?.mark(m.gfn); // a writable foreign or grant mapping's write (Xen marks it on unmap: gnttab_mark_dirty)
    if (d.p2m.mfn[m.gfn] === m.mfn) this.m.contents.writeVersion(d, m.gfn, m.mfn, version);
    else fillPageContent(m.bytes, d.seed, m.gfn, version); // into a frame the guest no longer has: lost
  }

  /** The frame a foreign or grant mapping of `gfn` takes, or the error Xen gave (`get_page_from_gfn` on a paging type, `xen/arch/x86/mm/p2m.c`). */
  private mappableFrame(d: SimDomain, gfn: number, op: string): number {
    if (!Number.isInteger(gfn) || gfn < 0 || gfn >= d.maxPages) throw this.m.refuse('EINVAL', d, gfn, `${op}: gfn is beyond max_pages ${d.maxPages}`);
    const type = d.p2m.type[gfn]!;
    const mfn = d.p2m.mfn[gfn]!;
    if (isPagingType(type)) {
      const anyState = d.paging?.protocol.foreignMapEnoent === 'any-paging-state';
      if (anyState || type === P2mType.ram_paged) {
        if (type === P2mType.ram_paged || type === P2mType.ram_paging_out) this.m.populateOrCrash(d, gfn, foreignCaller(this.m.controlVcpu));
        throw this.m.refuse('ENOENT', d, gfn, `${op}: gfn is paged out; retry`);
      }
      if (mfn === INVALID_MFN) throw this.m.refuse('ENOENT', d, gfn, `${op}: gfn is being paged in; retry`);
      return mfn; // paging_out and paging_in with a frame still map (the reference makes evict fail)
    }
    if (mfn === INVALID_MFN || !isGuestRam(type)) throw this.m.refuse('EINVAL', d, gfn, `${op}: gfn is not guest RAM`);
    return mfn;
  }
}
