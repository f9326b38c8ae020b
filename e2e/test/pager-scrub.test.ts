import { P2mType } from '@pagevisor/testing';
import { describe, expect, it } from 'vitest';
import { integrityMismatches, setup } from './support.js';

/**
 * Xen 4.1's evict frees the frame without scrubbing it (RELEASE-4.1.0
 * p2m_mem_paging_evict; 4.2 added scrub_one_page), so the guest's data stayed in a free frame. 4.1's
 * xenpaging cleared the page through a writable mapping before evicting; the pager does the same on
 * the ABIs whose evict does not scrub (age 1; from 62530296c7 Xen's evict scrubs).
 */
describe('no guest data in the frames evict frees', () => {
  for (const abi of ['mem_event/age1', 'mem_event/age2', 'vm_event/v7']) {
    it(`${abi}: every frame freed by paging reads as zeros, and every page comes back intact`, async () => {
      const { hv, guest, pager } = setup(abi);
      const before = Int32Array.from(guest.p2mMfn);
      await pager.start();
      hv.setTarget(guest.domid, guest.totPages >> 1);
      await pager.settle();
      let freed = 0;
      for (let gfn = 0; gfn < guest.maxPages; gfn++) {
        if (guest.p2mType[gfn] !== P2mType.ram_paged || before[gfn]! < 0) continue;
        const mfn = before[gfn]!;
        if (hv.frames.allocated[mfn] === 1) continue; // handed out again
        freed++;
        expect(hv.frameBytes(mfn).some((byte) => byte !== 0), `freed mfn 0x${mfn.toString(16)} of gfn 0x${gfn.toString(16)} holds guest data`).toBe(false);
      }
      expect(freed).toBeGreaterThan(1000);
      await pager.stop('graceful');
      expect(integrityMismatches(hv, guest.domid)).toEqual([]);
    });
  }
});
