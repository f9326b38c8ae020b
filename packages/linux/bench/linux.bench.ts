/**
 * Benchmark: the Linux backend against C doing the same userfaultfd work. Writes
 * `bench-results/linux.json`, medians of 5 runs, pager and C runs alternating:
 *
 * - faults served per second when a Worker touches pages that are out, one at a time (each brought in
 *   from the memory store, each bringing one eviction), beside a C handler thread of the same addon
 *   answering a C thread's faults with one `UFFDIO_COPY` of a page from a buffer (the target:
 *   at least 0.8 of it);
 * - first touches per second (each answered with `UFFDIO_ZEROPAGE` through the pager);
 * - pages per second of the C handler copying 16 pages per fault: the reference for prefetch, which
 *   the backend does not do yet.
 *
 * Run: `pnpm bench` (builds first), or after `pnpm build`, `pnpm --filter @pagevisor/linux bench`.
 */
import { Worker } from 'node:worker_threads';
import { createPager } from '@pagevisor/core';
import { policyNamed } from '@pagevisor/policies';
import { memoryStore } from '@pagevisor/storage';
import { median, writeBenchResults } from '../../../bench/bench-results.js';
import { nativeAddon } from '../src/internal/native-addon.js';
import { openPagedRegion, userfaultfdSupport } from '../src/index.js';

const RUNS = 5;
const PAGES = 1 << 16;

const support = userfaultfdSupport();
if (!support.available) throw support.problem;

interface PagerRun {
  readonly refaultsPerSecond: number;
  readonly firstTouchesPerSecond: number;
}

async function pagerRun(): Promise<PagerRun> {
  const region = openPagedRegion({ pages: PAGES, target: PAGES / 4 });
  const pager = createPager({ backend: region.backend, policy: policyNamed('fifo'), store: memoryStore() });
  await pager.start();
  const worker = new Worker(new URL('./toucher.mjs', import.meta.url), { workerData: { region: region.id } });
  const touch = (passes: number) =>
    new Promise<number>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
      worker.postMessage({ pages: PAGES, passes, stride: 1 });
    });
  try {
    const before = pager.stats.zeroFills;
    const firstMs = await touch(1);
    const firstTouches = pager.stats.zeroFills - before;
    await pager.settle();
    const faults = pager.stats.faults;
    const ms = await touch(2);
    const refaults = pager.stats.faults - faults;
    return { refaultsPerSecond: (refaults / ms) * 1000, firstTouchesPerSecond: (firstTouches / firstMs) * 1000 };
  } finally {
    await worker.terminate();
    await pager.stop('hard');
    region.close();
  }
}

const native = nativeAddon();
const pager: PagerRun[] = [];
const cOnePage: number[] = [];
const cSixteen: number[] = [];
for (let r = 0; r < RUNS; r++) {
  pager.push(await pagerRun());
  cOnePage.push(PAGES / native.baseline(PAGES, 1));
  cSixteen.push(PAGES / native.baseline(PAGES, 16));
}
const refaults = Math.round(median(pager.map((p) => p.refaultsPerSecond)));
const firstTouches = Math.round(median(pager.map((p) => p.firstTouchesPerSecond)));
const c1 = Math.round(median(cOnePage));
const c16 = Math.round(median(cSixteen));
console.log(`pager: ${(refaults / 1e3).toFixed(1)} K faults/s from the memory store, ${(firstTouches / 1e3).toFixed(1)} K first touches/s; C handler: ${(c1 / 1e3).toFixed(0)} K faults/s (ratio ${(refaults / c1).toFixed(2)}), ${(c16 / 1e3).toFixed(0)} K pages/s at 16 pages per fault`);
const out = writeBenchResults('linux', {
  method: `Medians of ${RUNS} runs, alternating. Pager: a ${PAGES}-page region held at a quarter by fifo and the memory store; one Worker writes one word of every page in order, twice (every touch of a page that is out faults, and each page-in brings an eviction), then first touches are the first pass over the fresh region. C: a handler thread of the same addon answers a C thread's touches of ${PAGES} missing pages with one UFFDIO_COPY of 1 (or 16) pages from a buffer.`,
  targets: { ratioToC: 0.8 },
  faultsPerSecond: refaults,
  firstTouchesPerSecond: firstTouches,
  cHandlerFaultsPerSecond: c1,
  ratioToC: +(refaults / c1).toFixed(3),
  cHandler16PagesPerSecond: c16,
  prefetch: 'not implemented yet: no pager figure',
  samples: { pager, cOnePage: cOnePage.map(Math.round), cSixteen: cSixteen.map(Math.round) },
});
console.log(`written ${out}`);
