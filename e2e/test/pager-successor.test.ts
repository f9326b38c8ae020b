import { isPagevisorError } from '@pagevisor/core';
import { memoryStore } from '@pagevisor/storage';
import { createPager } from '@pagevisor/core';
import { xenpaging } from '@pagevisor/policies';
import { P2mType } from '@pagevisor/testing';
import { describe, expect, it } from 'vitest';
import { integrityMismatches, pagedToHalf } from './support.js';

/**
 * What a successor does after a hard stop. Xen's answer: nothing; `enable` answers EBUSY
 * while the ring exists and there is no call to take a ring over (xenpaging: "xenpaging is (or was)
 * active on this domain"). The successor's start says so, changes nothing, and the guest stays as the
 * hard stop left it; after a graceful stop the next pager starts.
 */
describe('a second pager on a domain', () => {
  for (const abi of ['mem_event/age1', 'mem_event/4.2', 'vm_event/v7']) {
    it(`${abi}: after a hard stop it is refused with EBUSY, saying why, and the guest is left as it was`, async () => {
      const { hv, guest, pager } = await pagedToHalf(abi);
      const { pagesOut } = await pager.stop('hard');
      expect(pagesOut).toBeGreaterThan(1000);
      const before = Uint8Array.from(guest.p2mType);
      const successor = createPager({ hypervisor: hv, domid: guest.domid, policy: xenpaging(), store: memoryStore(), abi });
      const error = await successor.start().then(() => undefined, (e: unknown) => e);
      expect(isPagevisorError(error, 'EBUSY')).toBe(true);
      expect((error as Error).message).toMatch(/a pager is \(or was\) active on it, and its ring is still set up; Xen offers no way to take it over/);
      expect(guest.p2mType).toEqual(before);
      expect(guest.p2mType.filter((t) => t === P2mType.ram_paged).length).toBe(pagesOut);
    });
  }

  it('after a graceful stop the next pager starts and pages the guest again', async () => {
    const { hv, guest, pager } = await pagedToHalf('vm_event/v7');
    await pager.stop('graceful');
    const next = createPager({ hypervisor: hv, domid: guest.domid, policy: xenpaging(), store: memoryStore(), abi: 'vm_event/v7' });
    await next.start();
    await next.settle();
    expect(next.stats.pagesOut).toBeGreaterThan(1000);
    await next.stop('graceful');
    expect(integrityMismatches(hv, guest.domid)).toEqual([]);
  });
});
