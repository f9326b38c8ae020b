import { P2mType, isGuestRam, isPagingType } from '../../sim/sim-constants.js';
import type { AccessOutcome } from '../../sim/sim-hypervisor-options.js';
import type { SimMachine } from './sim-machine.js';

/**
 * What the guest does to its memory: vcpu accesses (the EPT fault path), the balloon driver's
 * decrease and populate, and the hypervisor's copies on a vcpu's behalf.
 */
export class GuestOperations {
  constructor(private readonly m: SimMachine) {}

  /** A guest vcpu reads or writes a gfn (the EPT fault path, `hvm_hap_nested_page_fault`). */
  guestAccess(domid: number, vcpu: number, gfn: number, write: boolean): AccessOutcome {
    const d = this.m.domain(domid);
    const type = d.p2m.type[gfn]!;
    if (isGuestRam(type)) {
      if (write) this.m.contents.guestWrite(d, gfn);
      return 'done';
    }
    if (!isPagingType(type)) return 'done'; // a hole or a ballooned gfn: nothing to page
    if (type === P2mType.ram_paged || type === P2mType.ram_paging_out || d.paging?.protocol.oneRequestPerGfn === true) {
      this.m.populateOrCrash(d, gfn, vcpu);
    } else {
      d.pause.waitGfn[vcpu] = gfn; // paging_in: a spurious fault; the vcpu re-faults until the type changes
    }
    this.m.audit(d, gfn, 'populate');
    return d.runnable(vcpu) && isGuestRam(d.p2m.type[gfn]!) ? this.guestAccess(domid, vcpu, gfn, write) : 'blocked';
  }

  /** Whether a vcpu spinning on a `paging_in` gfn may run again; clears the spin when it may. */
  releaseSpin(domid: number, vcpu: number): void {
    const d = this.m.domain(domid);
    const gfn = d.pause.waitGfn[vcpu]!;
    if (gfn >= 0 && d.p2m.type[gfn] !== P2mType.ram_paging_in && d.paging?.protocol.oneRequestPerGfn !== true) d.pause.waitGfn[vcpu] = -1;
  }

  /** `XENMEM_decrease_reservation` of one gfn by the guest (a balloon driver giving memory back): frees its frame; for a paging gfn, Xen's `guest_remove_page` then sends DROP_PAGE. */
  decreaseReservation(domid: number, gfn: number, vcpu: number): boolean {
    const d = this.m.domain(domid);
    const removed = this.m.removeGfn(d, gfn, vcpu);
    this.m.audit(d, gfn, 'decrease_reservation');
    return removed;
  }

  /** `XENMEM_populate_physmap` of one ballooned-out gfn: a fresh zeroed page, so a new content version. */
  populatePhysmap(domid: number, gfn: number): void {
    const d = this.m.domain(domid);
    if (d.p2m.type[gfn] !== P2mType.invalid) throw this.m.refuse('EINVAL', d, gfn, 'populate_physmap: gfn is populated');
    d.p2m.version[gfn]!++;
    d.populateGfn(gfn);
    d.dirtyLog?.mark(gfn);
    this.m.audit(d, gfn, 'populate_physmap');
  }

  /** The hypervisor copies into guest memory on behalf of a vcpu (`__hvm_copy`, as for a hypercall or an emulated write). */
  hvmCopy(domid: number, vcpu: number, gfn: number): 'done' | 'retry' {
    const d = this.m.domain(domid);
    const type = d.p2m.type[gfn]!;
    if (isGuestRam(type)) {
      this.m.contents.guestWrite(d, gfn);
      return 'done';
    }
    if (isPagingType(type)) this.m.populateOrCrash(d, gfn, vcpu);
    this.m.audit(d, gfn, 'hvm_copy');
    return isPagingType(type) ? 'retry' : 'done';
  }
}
