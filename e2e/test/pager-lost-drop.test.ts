import { isPagevisorError } from '@pagevisor/core';
import { FOREIGN_CALLER, P2mType, type SimHypervisor } from '@pagevisor/testing';
import { describe, expect, it } from 'vitest';
import { integrityMismatches, pagedToHalf } from './support.js';

/**
 * A DROP_PAGE that never reached the pager (Xen 4.1 drops it when the ring is nearly
 * full; 4.2+ drops a foreign caller's when no slot is free) used to make the graceful stop throw
 * EINVAL on the gfn that is no longer guest RAM. A guest vcpu's own drop on 4.2+ is never lost: it
 * sleeps for a slot (mem_event_claim_slot) and sends it then.
 */
function pagedGfns(p2m: ArrayLike<number>, count: number): number[] {
  const out: number[] = [];
  for (let gfn = 0; gfn < p2m.length && out.length < count; gfn++) if (p2m[gfn] === P2mType.ram_paged) out.push(gfn);
  return out;
}

/** A foreign map of each of these paged gfns: each fails with ENOENT and puts a request on the ring. */
function fillRing(hv: SimHypervisor, domid: number, gfns: number[]): void {
  for (const gfn of gfns) {
    try {
      hv.mapForeign(domid, gfn, false);
    } catch (error) {
      if (!isPagevisorError(error, 'ENOENT')) throw error;
    }
  }
}

describe('lost DROP_PAGE', () => {
  it('mem_event/age1: a drop lost to a nearly full ring no longer fails the graceful stop', async () => {
    const { hv, guest, pager } = await pagedToHalf('mem_event/age1');
    const [dropped, ...others] = pagedGfns(guest.p2mType, 64);
    fillRing(hv, guest.domid, others.slice(0, 61)); // 64 slots, 61 taken: below 4.1's threshold of 4
    hv.decreaseReservation(guest.domid, dropped!, 0);
    expect(guest.paging!.counters.lostDrops).toBe(1);
    await pager.settle();
    const report = await pager.stop('graceful');
    expect(report).toEqual({ mode: 'graceful', pagesOut: 0 });
    expect(integrityMismatches(hv, guest.domid)).toEqual([]);
  });

  it('vm_event/v7: a foreign caller\'s drop with no free slot is lost, and the pager forgets the gfn', async () => {
    const { hv, guest, pager } = await pagedToHalf('vm_event/v7');
    const [dropped, ...others] = pagedGfns(guest.p2mType, 9);
    fillRing(hv, guest.domid, others); // 8 slots, all claimed by foreign populates
    hv.decreaseReservation(guest.domid, dropped!, FOREIGN_CALLER);
    expect(guest.paging!.counters.lostDrops).toBe(1);
    await pager.settle();
    expect(await pager.stop('graceful')).toEqual({ mode: 'graceful', pagesOut: 0 });
    expect(integrityMismatches(hv, guest.domid)).toEqual([]);
  });

  it('vm_event/v7: a guest vcpu\'s drop with no free slot sleeps for one and is sent, never lost', async () => {
    const { hv, guest, pager } = await pagedToHalf('vm_event/v7');
    const [dropped, ...others] = pagedGfns(guest.p2mType, 9);
    fillRing(hv, guest.domid, others);
    hv.decreaseReservation(guest.domid, dropped!, 2);
    expect([guest.paging!.counters.lostDrops, guest.ringSleep[2]]).toEqual([0, 1]);
    await pager.settle(); // answers the 8 populates; the freed slots wake vcpu 2, which sends its drop
    await pager.settle();
    expect([guest.ringSleep[2], pager.stats.drops]).toEqual([0, 1]);
    expect(await pager.stop('graceful')).toEqual({ mode: 'graceful', pagesOut: 0 });
    expect(integrityMismatches(hv, guest.domid)).toEqual([]);
  });
});
