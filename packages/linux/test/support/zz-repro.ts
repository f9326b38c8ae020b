import { createPager } from '@pagevisor/core';
import { policyNamed } from '@pagevisor/policies';
import { memoryStore } from '@pagevisor/storage';
import { openPagedRegion } from '../../src/index.js';
import { regionWorker, shuffled } from './region-harness.js';
const PAGES = 768, TARGET = 192;
const name = process.argv[2]!;
let fails = 0;
for (let run = 0; run < Number(process.argv[3] ?? 10); run++) {
  const region = openPagedRegion({ pages: PAGES, target: TARGET });
  const pager = createPager({ backend: region.backend, policy: policyNamed(name), store: memoryStore() });
  await pager.start();
  const worker = regionWorker(region.id);
  for (const round of [1, 2]) {
    const w = await worker.run({ op: 'write', round, order: shuffled(PAGES, round) });
    await pager.settle();
    const c = await worker.run({ op: 'check', round, order: shuffled(PAGES, round + 10) });
    if (c.bad) { fails++; console.log(run, round, JSON.stringify(c), 'resident', region.backend.residentPages(), JSON.stringify({ ...pager.stats, evictFailReasons: undefined })); }
  }
  await worker.stop(); await pager.stop('hard'); region.close();
}
console.log(name, 'fails', fails);
