import { INVALID_MFN, P2mType, PAGE_BYTES, isGuestRam } from '../../sim/sim-constants.js';
import type { SimDomain } from '../../sim/sim-domain.js';
import type { SimMachine } from './sim-machine.js';

/**
 * What a restore (`xc_domain_restore`, the receiving end of a migration) does to an empty domain: pages
 * arrive with their bytes and are populated as they come, are marked gone (XTAB), or arrive as paged
 * out, held by the destination's pager; the guest's write history, which the simulator keeps as its
 * truth about contents, moves with the guest.
 */
export class DomainRestore {
  constructor(private readonly m: SimMachine) {}

  /** `gfn` holds `bytes`: populated if it had no frame (a paged one comes back in), overwritten if it had one. */
  restorePage(d: SimDomain, gfn: number, bytes: Uint8Array): void {
    this.check(d, gfn);
    if (bytes.length !== PAGE_BYTES) throw this.m.refuse('EINVAL', d, gfn, `restore: a page is ${PAGE_BYTES} bytes, not ${bytes.length}`);
    let mfn = d.p2m.mfn[gfn]!;
    if (mfn === INVALID_MFN) {
      if (this.m.frames.free === 0) throw this.m.refuse('ENOMEM', d, gfn, 'restore: no free machine frame');
      if (d.p2m.type[gfn] === P2mType.ram_paged) d.pagedPages--;
      mfn = d.populateGfn(gfn);
    }
    this.m.frames.tables.written.delete(mfn); // bytes of an earlier round, if any
    this.m.contents.load(d, gfn, mfn, bytes);
    this.m.audit(d, gfn, 'restore');
  }

  /** `gfn` is paged out, its page held by the destination's pager: no frame, p2m `ram_paged`. */
  restorePaged(d: SimDomain, gfn: number): void {
    this.check(d, gfn);
    if (d.p2m.type[gfn] === P2mType.ram_paged) return;
    this.restoreInvalid(d, gfn);
    d.p2m.type[gfn] = P2mType.ram_paged;
    d.pagedPages++;
    this.m.audit(d, gfn, 'restore');
  }

  /** `gfn` is not part of the guest (Xen's XTAB: never populated, or ballooned out). */
  restoreInvalid(d: SimDomain, gfn: number): void {
    this.check(d, gfn);
    const mfn = d.p2m.mfn[gfn]!;
    if (d.p2m.type[gfn] === P2mType.ram_paged) d.pagedPages--;
    if (mfn !== INVALID_MFN) this.m.releaseFrame(d, mfn);
    d.p2m.mfn[gfn] = INVALID_MFN;
    d.p2m.type[gfn] = P2mType.invalid;
    this.m.audit(d, gfn, 'restore');
  }

  /**
   * `d` takes `source`'s write history (its content version per gfn): the truth its pages are checked
   * against. Pages restored with the bytes of those versions fold back into generated content.
   */
  adoptVersions(d: SimDomain, source: SimDomain): void {
    if (source.maxPages !== d.maxPages || source.seed !== d.seed) throw this.m.refuse('EINVAL', d, 0, `restore: domain ${source.domid} has ${source.maxPages} gfns and seed ${source.seed}, not ${d.maxPages} and ${d.seed}`);
    d.p2m.version.set(source.p2m.version);
    for (let gfn = 0; gfn < d.maxPages; gfn++) if (isGuestRam(d.p2m.type[gfn]!)) this.m.contents.fold(d, gfn);
  }

  private check(d: SimDomain, gfn: number): void {
    if (!Number.isInteger(gfn) || gfn < 0 || gfn >= d.maxPages) throw this.m.refuse('EINVAL', d, gfn, `restore: gfn is beyond max_pages ${d.maxPages}`);
  }
}
