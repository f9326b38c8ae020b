// A memory controller reports frames going bad; an OfflineManager takes each away from its guest.
// A PV guest's frame is exchanged while the guest is suspended (xc_exchange_page); an HVM guest's
// frame is moved through paging while its pager runs. Every page is checked afterwards.
import 'reflect-metadata';
import { createOfflineManager, createPager } from '@pagevisor/core';
import { hvmRelocate, migrateRequired, pvExchange } from '@pagevisor/offline';
import { xenpaging } from '@pagevisor/policies';
import { memoryStore } from '@pagevisor/storage';
import { SimHypervisor } from '@pagevisor/testing';

const xen = new SimHypervisor({ machineFrames: 16384 });
const pvGuest = xen.createPvDomain({ maxPages: 4096, seed: 1 });
const hvmGuest = xen.createDomain({ maxPages: 4096, vcpus: 2, seed: 2 });
const pager = createPager({ hypervisor: xen, domid: hvmGuest.domid, policy: xenpaging(), store: memoryStore() });
await pager.start();

const offline = createOfflineManager({ hypervisor: xen, handlers: [pvExchange(), hvmRelocate(), migrateRequired()], pagers: [pager] });
offline.offline$.subscribe((r) => console.log(`mfn 0x${r.mfn.toString(16)} (domain ${r.domid}): ${r.handler} → ${r.result}, frame ${r.frameStatus}${r.reason ? ` (${r.reason})` : ''}`));

// The PV guest must be suspended for the exchange (xen-hptool mem-offline suspends it, then resumes).
await offline.offlinePage(pvGuest.p2mMfn[2000]!); // refused: not suspended
xen.pv.suspend(pvGuest.domid);
await offline.offlinePage(pvGuest.p2mMfn[2000]!); // exchanged; the handler resumes the guest
xen.pv.suspend(pvGuest.domid);
await offline.offlinePage(xen.pv.guest(pvGuest.domid).root); // its pinned L4 page table, too
await offline.offlinePage(hvmGuest.p2mMfn[3000]!);

await pager.stop('graceful');
let lost = 0;
for (const guest of [pvGuest, hvmGuest]) {
  const check = xen.contentMismatches(guest.domid);
  lost += check.mismatches.length;
  console.log(`domain ${guest.domid}: ${check.checked} pages checked, ${check.mismatches.length} lost or damaged`);
}
process.exitCode = lost === 0 ? 0 : 1;
