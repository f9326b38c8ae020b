import { MemoryPageStore } from '@pagevisor/storage';
import { guestVerdict, SimHypervisor } from '@pagevisor/testing';
import { describe, expect, it } from 'vitest';

/** guestVerdict on a guest with pages paged out by hand: the store's copies are what it checks them against. */
describe('guestVerdict', () => {
  function pagedGuest() {
    const hv = new SimHypervisor({ audit: true, machineFrames: 8192 });
    const guest = hv.createDomain({ maxPages: 4096, seed: 3, empty: true });
    const store = new MemoryPageStore(4096);
    return { hv, guest, store };
  }

  it('finds a paged-out page missing from the store, one whose copy is wrong, and a resident page that is wrong', async () => {
    const { hv, guest, store } = pagedGuest();
    const source = new SimHypervisor({ machineFrames: 8192 }).createDomain({ maxPages: 4096, seed: 3 });
    for (let gfn = 0; gfn < 2600; gfn++) {
      if (gfn % 2 === 0) hv.restorePage(guest.domid, gfn, hv.expectedContent(guest.domid, gfn));
      else {
        hv.restorePaged(guest.domid, gfn);
        if (gfn !== 7) await store.writeBatch(Uint32Array.of(gfn), gfn === 2501 ? new Uint8Array(4096) : hv.expectedContent(guest.domid, gfn), 1);
      }
    }
    hv.restorePage(guest.domid, 10, new Uint8Array(4096));
    hv.adoptVersions(guest.domid, source);
    // Of the 2600 gfns, the 96 of the legacy hole (0xa0-0xff) are not RAM: 2504 checked, 1252 paged out, read in
    // two batches of at most 1024; 7 (first batch) is missing, 2501's copy (second batch) is zeros, 10 is
    // resident and zeros.
    expect(await guestVerdict(hv, guest.domid, store)).toEqual({ checked: 2504, pagedOut: 1252, mismatches: [7, 10, 2501] });
  });

  it('counts every paged-out page as lost when the store cannot be read at all', async () => {
    const { hv, guest, store } = pagedGuest();
    for (let gfn = 0; gfn < 4; gfn++) hv.restorePaged(guest.domid, gfn);
    await store.close();
    expect((await guestVerdict(hv, guest.domid, store)).mismatches).toEqual([0, 1, 2, 3]);
  });
});
