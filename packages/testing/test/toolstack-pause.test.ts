import { describe, expect, it } from 'vitest';
import { SimHypervisor } from '@pagevisor/testing';
import { errnoOf } from './support/errno-of.js';
import { simWith } from './support/sim-fixture.js';

const GFN = 0x300;

/** `XEN_DOMCTL_pausedomain` / `unpausedomain` (domain_pause_by_systemcontroller) beside paging's own pauses. */
describe('the toolstack pausing a domain', () => {
  it('pauses every vcpu on top of paging pauses; unpause takes back only its own', () => {
    const s = simWith('mem_event/4.2', { vcpus: 2 });
    const page = s.pageOut(GFN);
    expect(s.hv.guestAccess(s.id, 0, GFN, false)).toBe('blocked'); // paused by paging: VCPU_PAUSED
    s.hv.pauseDomain(s.id);
    expect([s.d.runnable(0), s.d.runnable(1)]).toEqual([false, false]);
    const requests = s.requests();
    s.hv.prep(s.id, GFN, page);
    s.answer(requests); // the response unpauses paging's pause only
    expect([s.d.runnable(0), s.d.runnable(1)]).toEqual([false, false]);
    s.hv.unpauseDomain(s.id);
    expect([s.d.runnable(0), s.d.runnable(1)]).toEqual([true, true]);
    expect(errnoOf(() => s.hv.unpauseDomain(s.id))).toBe('EINVAL');
  });

  it('is not a vcpu waiting on paging: the dead-pager watchdog leaves it alone', () => {
    const hv = new SimHypervisor({ abi: 'vm_event/v7', deadPager: { afterNs: 1000, outcome: 'crash' } });
    const d = hv.createDomain({ maxPages: 256 });
    hv.enablePaging(d.domid, 'vm_event/v7');
    hv.pauseDomain(d.domid);
    expect(hv.watchdog(d.domid, 0)).toBe('none');
    expect(hv.watchdog(d.domid, 1_000_000)).toBe('none');
    expect(d.crashed).toBeUndefined();
  });
});
