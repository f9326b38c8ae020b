/**
 * Benchmark: the Linux backend against C doing the same userfaultfd work. Writes
 * `bench-results/linux.json`, medians of 5 runs, pager and C runs alternating:
 *
 * - faults served per second when a Worker touches pages that are out, one at a time (each brought in
 *   from the memory store, each bringing one eviction), beside a C handler thread of the same addon
 *   answering a C thread's faults with one `UFFDIO_COPY` of a page from a buffer (the target:
 *   at least 0.8 of it);
 * - first touches per second (each answered with `UFFDIO_ZEROPAGE` through the pager);
 * - pages per second brought in on a scan over pages out with a fixed read-ahead of 16 pages, beside
 *   the C handler copying 16 pages per fault (target: at least 0.8 of it), and the faults the
 *   read-ahead saved on that scan.
 *
 * Run: `pnpm bench` (builds first), or after `pnpm build`, `pnpm --filter @pagevisor/linux bench`.
 */
import { Worker } from 'node:worker_threads';
import { createPager } from '@pagevisor/core';
import { policyNamed } from '@pagevisor/policies';
import { memoryStore } from '@pagevisor/storage';
import { median, writeBenchResults } from '../../../bench/bench-results.js';
import { nativeAddon } from '../src/internal/native-addon.js';
import { openPagedRegion, userfaultfdSupport, type ReadAheadOptions } from '../src/index.js';

const RUNS = 5;
const PAGES = 1 << 16;

const support = userfaultfdSupport();
if (!support.available) throw support.problem;

interface PagerRun {
  readonly refaultsPerSecond: number;
  readonly firstTouchesPerSecond: number;
  /** Pages brought in per second on the second pass (faults and prefetches). */
  readonly pagesInPerSecond: number;
  /** Faults taken on the second pass. */
  readonly refaults: number;
}

async function pagerRun(readAhead?: ReadAheadOptions): Promise<PagerRun> {
  const region = openPagedRegion({ pages: PAGES, target: PAGES / 4, readAhead });
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
    const { faults, pagedIn } = pager.stats;
    const ms = await touch(1);
    const refaults = pager.stats.faults - faults;
    const pagesIn = pager.stats.pagedIn - pagedIn;
    return { refaultsPerSecond: (refaults / ms) * 1000, firstTouchesPerSecond: (firstTouches / firstMs) * 1000, pagesInPerSecond: (pagesIn / ms) * 1000, refaults };
  } finally {
    await worker.terminate();
    await pager.stop('hard');
    region.close();
  }
}

const native = nativeAddon();
const READ_AHEAD = { pages: 16, mode: 'fixed' } as const;
const pager: PagerRun[] = [];
const ahead: PagerRun[] = [];
const cOnePage: number[] = [];
const cSixteen: number[] = [];
for (let r = 0; r < RUNS; r++) {
  pager.push(await pagerRun());
  cOnePage.push(PAGES / native.baseline(PAGES, 1));
  ahead.push(await pagerRun(READ_AHEAD));
  cSixteen.push(PAGES / native.baseline(PAGES, 16));
}
const refaults = Math.round(median(pager.map((p) => p.refaultsPerSecond)));
const firstTouches = Math.round(median(pager.map((p) => p.firstTouchesPerSecond)));
const aheadPages = Math.round(median(ahead.map((p) => p.pagesInPerSecond)));
const faultsPlain = median(pager.map((p) => p.refaults));
const faultsAhead = median(ahead.map((p) => p.refaults));
const c1 = Math.round(median(cOnePage));
const c16 = Math.round(median(cSixteen));
console.log(`pager: ${(refaults / 1e3).toFixed(1)} K faults/s from the memory store, ${(firstTouches / 1e3).toFixed(1)} K first touches/s; C handler: ${(c1 / 1e3).toFixed(0)} K faults/s (ratio ${(refaults / c1).toFixed(2)})`);
console.log(`read-ahead 16: ${(aheadPages / 1e3).toFixed(0)} K pages/s, ${faultsAhead} faults instead of ${faultsPlain}; C handler at 16 pages per fault: ${(c16 / 1e3).toFixed(0)} K pages/s (ratio ${(aheadPages / c16).toFixed(2)})`);
const out = writeBenchResults('linux', {
  method: `Medians of ${RUNS} runs, alternating. Pager: a ${PAGES}-page region held at a quarter by fifo and the memory store; one Worker writes one word of every page in order (first touches, each a zero fill), then once more (every touch of a page that is out faults, and each page-in brings an eviction). Read-ahead: the same with a fixed read-ahead of 16 pages; its pages/s counts every page brought in on the second pass. C: a handler thread of the same addon answers a C thread's touches of ${PAGES} missing pages with one UFFDIO_COPY of 1 (or 16) pages from a buffer.`,
  targets: { ratioToC: 0.8, readAheadRatioToC16: 0.8 },
  faultsPerSecond: refaults,
  firstTouchesPerSecond: firstTouches,
  cHandlerFaultsPerSecond: c1,
  ratioToC: +(refaults / c1).toFixed(3),
  readAheadPagesPerSecond: aheadPages,
  cHandler16PagesPerSecond: c16,
  readAheadRatioToC16: +(aheadPages / c16).toFixed(3),
  scanFaultsWithoutReadAhead: faultsPlain,
  scanFaultsWithReadAhead: faultsAhead,
  samples: { pager, readAhead: ahead, cOnePage: cOnePage.map(Math.round), cSixteen: cSixteen.map(Math.round) },
});
console.log(`written ${out}`);
