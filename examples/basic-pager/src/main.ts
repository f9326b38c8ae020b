// A user's program that embeds a pager: a simulated 64 MiB Xen guest, paged down to 16 MiB while its
// vcpus run a workload, with the pager's events and stats on the console.
import 'reflect-metadata';
import { createPager } from '@pagevisor/core';
import { xenpaging } from '@pagevisor/policies';
import { memoryStore } from '@pagevisor/storage';
import { GuestRunner, SimHypervisor, zipfWorkload } from '@pagevisor/testing';
import { filter, throttleTime } from 'rxjs';

const xen = new SimHypervisor({ abi: 'vm_event/v7' });
const guest = xen.createDomain({ maxPages: 16384, vcpus: 4 });

const pager = createPager({
  hypervisor: xen,
  domid: guest.domid,
  policy: xenpaging(),
  store: memoryStore(),
  abi: ['vm_event/v7'],
});

pager.events$.pipe(filter((e) => e.type === 'target.changed' || e.type === 'pager.stopped')).subscribe((e) => console.log('event', e));
pager.stats$.pipe(throttleTime(250)).subscribe((s) => console.log(`out ${s.pagesOut} pages, ${s.faults} faults served, target ${s.target}`));

await pager.start();
xen.setTarget(guest.domid, 4096); // 16 MiB
await pager.settle();

const runner = new GuestRunner(xen, guest.domid, zipfWorkload({ pages: 15000, accesses: 100_000, seed: 7 }));
const result = await runner.run(() => pager.settle());
console.log(`guest ran ${result.ops} operations, ${result.faults} of them waited for a page-in`);

const report = await pager.stop('graceful');
console.log(`stopped: ${report.pagesOut} pages still out; the guest holds ${xen.domainInfo(guest.domid).totPages} pages again`);
