import { INVALID_M2P_ENTRY, INVALID_MFN, P2mType, PAGE_BYTES, PageType, isPagingType } from '../../sim/sim-constants.js';
import type { SimMachine } from './sim-machine.js';

/**
 * The p2m half of paging, era by era: `p2m_mem_paging_nominate`, `_evict` and `_prep` of Xen 4.0, 4.1
 * (ages 1 and 2, SUSE's age 3) and 4.2+ (`xen/arch/x86/mm/p2m.c` at each RELEASE tag), with the fixes
 * the seeds asked for unless the machine keeps Xen's bugs. The ring half is {@link DomainPaging}.
 */
export class P2mPaging {
  constructor(private readonly m: SimMachine) {}

  nominate(domid: number, gfn: number): void {
    const d = this.m.domain(domid);
    const paging = this.m.pagingOf(d, gfn);
    const f = this.m.frames;
    const mfn = d.p2m.mfn[gfn]!;
    const type = d.p2m.type[gfn]!;
    const xen41 = paging.protocol.codeBase !== '4.2'; // 4.0 and 4.1 alike
    const refs = paging.protocol.nominateRefs;
    if (mfn === INVALID_MFN) throw this.m.refuse(paging.protocol.nominateNoFrameErrno, d, gfn, 'nominate: no frame');
    // 4.1 pages only ram_rw; 4.2 also ram_logdirty (P2M_PAGEABLE_TYPES).
    const pageable = type === P2mType.ram_rw || (!xen41 && type === P2mType.ram_logdirty);
    const failure = !pageable
      ? `type is not pageable`
      : f.tables.allocated[mfn] !== 1 || f.tables.refs[mfn] !== refs
        ? `count_info is ${f.tables.refs[mfn]}${f.tables.allocated[mfn] === 1 ? '|PGC_allocated' : ''}, needs ${refs}|PGC_allocated`
        : f.tables.typeCount[mfn] !== 0 || (xen41 && f.tables.type[mfn] !== PageType.none)
          ? `page has a type reference`
          : undefined;
    // Xen 4.1 and SUSE return EAGAIN for every refusal but an invalid mfn; 4.2+ EBUSY.
    if (failure !== undefined) throw this.m.refuse(xen41 ? 'EAGAIN' : 'EBUSY', d, gfn, `nominate: ${failure}`);
    d.p2m.type[gfn] = P2mType.ram_paging_out;
    this.m.audit(d, gfn, 'nominate');
  }

  evict(domid: number, gfn: number): void {
    const d = this.m.domain(domid);
    const paging = this.m.pagingOf(d, gfn);
    const f = this.m.frames;
    const mfn = d.p2m.mfn[gfn]!;
    const type = d.p2m.type[gfn]!;
    if (!paging.protocol.evictRechecks) {
      // Xen 4.1 evict checks only the type and the mfn: no refcount re-check (the seed 003 race).
      if (mfn === INVALID_MFN || type === P2mType.ram_paged || type === P2mType.ram_paging_in || type === P2mType.ram_paging_in_start) {
        throw this.m.refuse('EINVAL', d, gfn, `evict: gfn is ${mfn === INVALID_MFN ? 'without a frame' : 'already paged'}`);
      }
      // Xen 4.1 evicts any type but the paged ones (RELEASE-4.1.0 p2m_mem_paging_evict): a gfn ballooned
      // out and back in since its nomination is `ram_rw` with new content, and 4.1 evicts it, losing
      // that content. With `xenBugs` off the simulator applies 4.2's checks, as for the references below.
      if (!this.m.xenBugs && type !== P2mType.ram_paging_out) throw this.m.refuse('EBUSY', d, gfn, 'evict: gfn is not paging_out (changed since its nomination)');
      // The fix (4.2's check, 2d1f750000 era): a page someone mapped after nomination is not evicted.
      if (!this.m.xenBugs && (f.tables.refs[mfn] !== 1 || f.tables.typeCount[mfn] !== 0)) {
        throw this.m.refuse('EBUSY', d, gfn, `evict: page is in use (count_info ${f.tables.refs[mfn]! + 1}, type count ${f.tables.typeCount[mfn]})`);
      }
    } else {
      if (mfn === INVALID_MFN || type !== P2mType.ram_paging_out) throw this.m.refuse('EBUSY', d, gfn, 'evict: gfn is not paging_out');
      // get_page, then the count must be exactly 2|PGC_allocated: nobody mapped it since nominate.
      if (f.tables.allocated[mfn] !== 1 || f.tables.refs[mfn] !== 1 || f.tables.typeCount[mfn] !== 0) {
        throw this.m.refuse('EBUSY', d, gfn, `evict: page is in use (count_info ${f.tables.refs[mfn]! + 1}, type count ${f.tables.typeCount[mfn]})`);
      }
    }
    d.p2m.mfn[gfn] = INVALID_MFN;
    d.p2m.type[gfn] = P2mType.ram_paged;
    d.pagedPages++;
    // Seed 000 patches 6-7: the M2P entry of the evicted frame is invalidated. With xenBugs it is left
    // to Xen: 4.1.0 kept it naming the gfn after the free (stale); from 4515d7bd13 (4.2.0, age 2 on)
    // the free resets it, and only a frame still mapped by someone keeps it until its last put.
    if (!this.m.xenBugs) f.tables.m2p[mfn] = INVALID_M2P_ENTRY;
    if (f.tables.allocated[mfn] === 1) {
      d.totPages--;
      const stale = f.tables.m2p[mfn]!;
      // 4.2+ scrub_one_page; 4.1 frees the page with the guest's data in it.
      const freed = f.release(mfn, paging.protocol.evictScrubs ? undefined : d.seed);
      if (freed && this.m.xenBugs && !paging.protocol.freeResetsM2p) f.tables.m2p[mfn] = stale;
    }
    // Xen's p2m_mem_paging_evict marks nothing dirty; a migration must re-send the gfn as paged out.
    if (!this.m.xenBugs) d.dirtyLog?.mark(gfn);
    this.m.audit(d, gfn, 'evict');
  }

  prep(domid: number, gfn: number, buffer?: Uint8Array): void {
    const d = this.m.domain(domid);
    const paging = this.m.pagingOf(d, gfn);
    const protocol = paging.protocol;
    const type = d.p2m.type[gfn]!;
    if (buffer !== undefined && !protocol.prepLoadsBuffer) {
      throw this.m.refuse('EINVAL', d, gfn, `prep: paging ABI ${paging.abi.id} has no load; write the page through a mapping`);
    }
    if (buffer !== undefined && buffer.length !== PAGE_BYTES) throw this.m.refuse('EINVAL', d, gfn, `prep: buffer is ${buffer.length} bytes, not ${PAGE_BYTES}`);
    if (!protocol.prepLoadsBuffer) {
      // Xen 4.1: always a new frame, set (new mfn, paging_in). 4.1 had no type check, so a request that
      // raced with a balloon-out resurrected the removed gfn; the simulator applies 4.2's ENOENT. The old
      // frame, if any, is released with its M2P entry invalidated (4.1 left it allocated and stale).
      if (!isPagingType(type)) throw this.m.refuse('ENOENT', d, gfn, 'prep: gfn is not being paged in');
      const old = d.p2m.mfn[gfn]!;
      // RELEASE-4.0.0 p2m_mem_paging_prep answers a failed allocation with -EINVAL, 4.1 with -ENOMEM.
      if (this.m.frames.free === 0) throw this.m.refuse(protocol.prepNoMemoryErrno, d, gfn, 'prep: no free machine frame');
      const mfn = this.m.frames.allocate(d.domid);
      d.totPages++;
      if (old !== INVALID_MFN) this.m.releaseFrame(d, old);
      else if (isPagingType(type)) d.pagedPages--;
      this.m.frames.tables.written.set(mfn, new Uint8Array(PAGE_BYTES));
      d.p2m.mfn[gfn] = mfn;
      d.p2m.type[gfn] = P2mType.ram_paging_in;
      this.m.frames.tables.m2p[mfn] = gfn;
      if (!this.m.xenBugs) d.dirtyLog?.mark(gfn);
      this.m.audit(d, gfn, 'prep');
      return;
    }
    // The 4.1 code base (age 2, SUSE age 3): populate left paged → paging_in_start (age 2 may also find
    // `paged` when evict ran after a populate of paging_out); prep → paging_in, resume finishes.
    // 4.2+: paging_in or paged, and prep makes the gfn ram_rw at once.
    const xen41 = protocol.codeBase !== '4.2';
    const allowed = xen41
      ? type === P2mType.ram_paging_in_start || (!protocol.oneRequestPerGfn && type === P2mType.ram_paged)
      : type === P2mType.ram_paging_in || type === P2mType.ram_paged;
    if (!allowed) throw this.m.refuse('ENOENT', d, gfn, 'prep: gfn is not being paged in');
    let mfn = d.p2m.mfn[gfn]!;
    if (mfn === INVALID_MFN) {
      if (buffer === undefined && !protocol.oneRequestPerGfn) throw this.m.refuse('EINVAL', d, gfn, 'prep: gfn has no frame and no buffer was given');
      mfn = this.m.frames.allocate(d.domid);
      d.totPages++;
      d.pagedPages--;
      if (buffer === undefined) this.m.frames.tables.written.set(mfn, new Uint8Array(PAGE_BYTES));
      else this.m.contents.load(d, gfn, mfn, buffer);
    }
    d.p2m.mfn[gfn] = mfn;
    this.m.frames.tables.m2p[mfn] = gfn;
    d.p2m.type[gfn] = xen41 ? P2mType.ram_paging_in : P2mType.ram_rw;
    // Xen's p2m_mem_paging_prep (RELEASE-4.6.0, b3fc5edd) maps the page back p2m_ram_logdirty but never
    // marks it dirty: a page that xc_sr_save sent as XTAB while it was out is not sent again, and the
    // destination has no such page. Marked here unless Xen's bugs are kept.
    if (!this.m.xenBugs) d.dirtyLog?.mark(gfn);
    this.m.contents.settle(d, gfn, 'prep');
    this.m.audit(d, gfn, 'prep');
  }
}
