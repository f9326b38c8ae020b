// The same pager against every paging ABI Xen had: each simulated Xen speaks one ABI, the pager pages a
// guest down to a quarter while it runs, and every page is checked. A Xen from 4.13 on (vm_event v5 to
// v7) announces its version and the pager picks from everything it speaks; an older Xen cannot say, so
// the pager is told which ABI that Xen speaks, as xenpaging was built against that Xen's headers.
import 'reflect-metadata';
import { BUILTIN_ABIS, createPager } from '@pagevisor/core';
import { xenpaging } from '@pagevisor/policies';
import { memoryStore } from '@pagevisor/storage';
import { GuestRunner, mixWorkload, SimHypervisor } from '@pagevisor/testing';

let failures = 0;
console.log('ABI               how         ring slots  faults  drops  mismatches');
for (const abi of BUILTIN_ABIS) {
  const xen = new SimHypervisor({ abi: abi.id });
  const guest = xen.createDomain({ maxPages: 4096, vcpus: 2, seed: 8 });
  const announces = xen.announcedPagingAbi(guest.domid) !== undefined;
  const offer = announces ? BUILTIN_ABIS.map((a) => a.id) : [abi.id];
  const pager = createPager({ hypervisor: xen, domid: guest.domid, policy: xenpaging(), store: memoryStore(), abi: offer });
  let how = '';
  pager.events$.subscribe((e) => {
    if (e.type === 'pager.started') how = e.abiSource ?? '';
  });
  await pager.start();
  xen.setTarget(guest.domid, 1024);
  await pager.settle();
  await new GuestRunner(xen, guest.domid, mixWorkload({ pages: 3500, accesses: 6000, seed: 2 })).run(() => pager.settle());
  const { faults, drops } = pager.stats;
  await pager.stop('graceful');
  const lost = xen.contentMismatches(guest.domid).mismatches.length;
  if (lost > 0) failures++;
  console.log(`${abi.id.padEnd(18)}${how.padEnd(12)}${String(abi.ringSlots).padStart(10)}${String(faults).padStart(8)}${String(drops).padStart(7)}${String(lost).padStart(12)}`);
}
process.exitCode = failures === 0 ? 0 : 1;
