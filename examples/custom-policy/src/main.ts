// A user's own victim policy: prove it with Pagevisor's conformance suite, then page a simulated guest
// with it and check that every page came back intact.
import 'reflect-metadata';
import { createPager } from '@pagevisor/core';
import { memoryStore } from '@pagevisor/storage';
import { GuestRunner, runPolicyConformance, SimHypervisor, zipfWorkload } from '@pagevisor/testing';
import { createSampledLfu, sampledLfu } from './sampled-lfu.js';

const results = await runPolicyConformance({ name: 'sampled-lfu', create: (context) => createSampledLfu(context), liveOnly: true });
for (const r of results) console.log(r.error ? `FAIL  ${r.name}: ${r.error.message}` : `ok    ${r.name}`);
const failed = results.filter((r) => r.error).length;
if (failed > 0) {
  console.error(`${failed} conformance checks failed`);
  process.exit(1);
}

const xen = new SimHypervisor({ abi: 'vm_event/v7' });
const guest = xen.createDomain({ maxPages: 16384, vcpus: 4, seed: 9 });
const pager = createPager({ hypervisor: xen, domid: guest.domid, policy: sampledLfu({ samples: 8 }), store: memoryStore() });
await pager.start();
xen.setTarget(guest.domid, 4096);
await pager.settle();
const result = await new GuestRunner(xen, guest.domid, zipfWorkload({ pages: 15000, accesses: 60_000, seed: 2 })).run(() => pager.settle());
console.log(`sampled-lfu held the guest at ${pager.stats.target} pages: ${result.ops} operations, ${pager.stats.faults} faults served`);
await pager.stop('graceful');
const integrity = xen.contentMismatches(guest.domid);
console.log(`${integrity.checked} pages checked, ${integrity.mismatches.length} lost or damaged`);
process.exitCode = integrity.mismatches.length === 0 ? 0 : 1;
