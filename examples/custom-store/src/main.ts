// A user's own store: pages striped over three pagefiles. First the store conformance suite proves it
// (persistence across close and reopen included), then a pager pages a simulated guest through it.
import 'reflect-metadata';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPager } from '@pagevisor/core';
import { xenpaging } from '@pagevisor/policies';
import { PagefileStore } from '@pagevisor/storage';
import { GuestRunner, SimHypervisor, runStoreConformance, zipfWorkload } from '@pagevisor/testing';
import { StripedStore, stripedStore } from './striped-store.js';

const dir = mkdtempSync(join(tmpdir(), 'striped-store-'));
let subjects = 0;
/** The pagefile of stripe `i` under `base`: its directory (one per disk) is ours to make; stores make none. */
const stripePath = (base: string, i: number): string => {
  mkdirSync(join(base, `disk${i}`), { recursive: true });
  return join(base, `disk${i}`, 'guest.pagefile');
};
const openStriped = (base: string, maxPages: number) =>
  Promise.all([0, 1, 2].map((i) => PagefileStore.open({ path: stripePath(base, i) }, maxPages))).then((stripes) => new StripedStore(stripes));
try {
  const results = await runStoreConformance({
    name: 'striped',
    async create(maxPages) {
      const base = join(dir, `subject-${subjects++}`);
      return { store: await openStriped(base, maxPages), reopen: () => openStriped(base, maxPages) };
    },
  });
  for (const r of results) console.log(r.error ? `FAIL  ${r.name}: ${r.error.message}` : `ok    ${r.name}`);
  const failed = results.filter((r) => r.error).length;
  if (failed > 0) throw new Error(`${failed} conformance checks failed`);

  const xen = new SimHypervisor({ abi: 'vm_event/v7' });
  const guest = xen.createDomain({ maxPages: 8192, vcpus: 2, seed: 4 });
  const store = stripedStore(3, (i, maxPages) => PagefileStore.openLazily({ path: stripePath(join(dir, 'pager'), i) }, maxPages));
  const pager = createPager({ hypervisor: xen, domid: guest.domid, policy: xenpaging(), store });
  await pager.start();
  xen.setTarget(guest.domid, 2048);
  await pager.settle();
  await new GuestRunner(xen, guest.domid, zipfWorkload({ pages: 7500, accesses: 20_000, seed: 3 })).run(() => pager.settle());
  console.log(`paged through 3 pagefiles: ${pager.stats.evictions} evictions, ${pager.stats.faults} faults served`);
  await pager.stop('graceful');
  const integrity = xen.contentMismatches(guest.domid);
  console.log(`${integrity.checked} pages checked, ${integrity.mismatches.length} lost or damaged`);
  process.exitCode = integrity.mismatches.length === 0 ? 0 : 1;
} finally {
  rmSync(dir, { recursive: true, force: true });
}
