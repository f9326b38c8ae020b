// The same pager, unchanged, against every paging ABI Xen had: each simulated Xen announces one ABI,
// the pager negotiates it, pages a guest down to a quarter while it runs, and every page is checked.
import 'reflect-metadata';
import { BUILTIN_ABIS, createPager } from '@pagevisor/core';
import { xenpaging } from '@pagevisor/policies';
import { memoryStore } from '@pagevisor/storage';
import { GuestRunner, mixWorkload, SimHypervisor } from '@pagevisor/testing';

let failures = 0;
console.log('ABI               ring slots  faults  drops  mismatches');
for (const abi of BUILTIN_ABIS) {
  const xen = new SimHypervisor({ abi: abi.id });
  const guest = xen.createDomain({ maxPages: 4096, vcpus: 2, seed: 8 });
  // The pager offers every ABI it speaks; negotiation picks the one this Xen announces.
  const pager = createPager({ hypervisor: xen, domain: guest.domid, policy: xenpaging(), store: memoryStore(), config: { abi: BUILTIN_ABIS.map((a) => a.id) } });
  await pager.start();
  xen.setTarget(guest.domid, 1024);
  await pager.settle();
  await new GuestRunner(xen, guest.domid, mixWorkload({ pages: 3500, accesses: 6000, seed: 2 })).run(() => pager.settle());
  const { faults, drops } = pager.stats;
  await pager.stop('graceful');
  const lost = xen.contentMismatches(guest.domid).mismatches.length;
  if (lost > 0) failures++;
  console.log(`${abi.id.padEnd(18)}${String(abi.ringSlots).padStart(10)}${String(faults).padStart(8)}${String(drops).padStart(7)}${String(lost).padStart(12)}`);
}
process.exitCode = failures === 0 ? 0 : 1;
