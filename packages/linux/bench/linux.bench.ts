/**
 * Benchmark: the Linux backend against C doing the same userfaultfd work. Writes
 * `bench-results/linux.json`, medians of 5 runs, pager and C runs alternating:
 *
 * - faults served per second when a Worker reads pages that are out, one at a time (each brought in
 *   from the memory store, each bringing one eviction), beside a C handler thread of the same addon
 *   answering a C thread's faults with one `UFFDIO_COPY` of a page from a buffer (the issue's target:
 *   at least 0.8 of it); and pages per second when it writes them instead, each write after a page-in
 *   taking the one extra write-protect fault that dirty tracking costs;
 * - first touches per second (each answered with `UFFDIO_ZEROPAGE` through the pager);
 * - pages per second brought in on a scan over pages out with a fixed read-ahead of 16 pages, beside
 *   the C handler copying 16 pages per fault (target: at least 0.8 of it), and the faults the
 *   read-ahead saved on that scan;
 * - evictions per second when the target drops from every page to one, beside C doing only the
 *   `MADV_DONTNEED` of the same number of written pages in runs of 64 (target: at least 0.5 of it),
 *   and beside C copying each run out to a buffer before dropping it (the floor for written pages);
 *   and the same for clean pages (paged in from the store and only read since), which go out without
 *   a copy or a store write;
 * - faults and evictions per second with the pagefile store as well as the memory store;
 * - access sampling (bench/sampling-runs.ts): faults per second with it on (the region a memfd, its
 *   pages sampled) and off; and on a zipf workload and the LIRS sprite trace, replayed in a Worker over
 *   a region held at a quarter of its pages, the faults taken by xenpaging's policy (which needs no
 *   access information) and by clock, lru and access-timestamp with and without sampling, and the
 *   replay's time (what sampling costs the application: its minor faults).
 *
 * Run: `pnpm bench` (builds first), or after `pnpm build`, `pnpm --filter @pagevisor/linux bench`.
 */
import { Worker } from 'node:worker_threads';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPager, type Pager, type PagevisorPlugin } from '@pagevisor/core';
import { policyNamed } from '@pagevisor/policies';
import { memoryStore, pagefileStore } from '@pagevisor/storage';
import { median, writeBenchResults } from '../../../bench/bench-results.js';
import { nativeAddon } from '../src/internal/native-addon.js';
import { openPagedRegion, userfaultfdSupport, type AccessSamplingOptions, type PagedRegion, type PagedRegionOptions, type ReadAheadOptions } from '../src/index.js';
import { BENCH_SAMPLING, SAMPLING_CASES, samplingRun, samplingWorkloads, type SamplingRun } from './sampling-runs.js';

const RUNS = 5;
const PAGES = 1 << 16;

const support = userfaultfdSupport();
if (!support.available) throw support.problem;

interface PagerRun {
  readonly refaultsPerSecond: number;
  /** Pages per second of a third pass that writes every page (page-in, then a write-protect fault). */
  readonly writtenPagesPerSecond: number;
  readonly firstTouchesPerSecond: number;
  /** Pages brought in per second on the second pass (faults and prefetches). */
  readonly pagesInPerSecond: number;
  /** Faults taken on the second pass. */
  readonly refaults: number;
}

/** A store for one run, and what removes it afterwards. */
interface BenchStore {
  readonly plugin: PagevisorPlugin;
  readonly remove: () => void;
}

const stores: Record<'memory' | 'pagefile', () => BenchStore> = {
  memory: () => ({ plugin: memoryStore(), remove: () => undefined }),
  pagefile: () => {
    const dir = mkdtempSync(join(tmpdir(), 'pagevisor-bench-'));
    return { plugin: pagefileStore({ path: join(dir, 'region.pagefile') }), remove: () => rmSync(dir, { recursive: true, force: true }) };
  },
};

/** A region paged by fifo into `store` and a Worker touching it, for `body`; all of it removed afterwards. */
async function withRegion<T>(
  options: PagedRegionOptions,
  store: BenchStore,
  body: (run: { pager: Pager; region: PagedRegion; touch: (write?: boolean) => Promise<number> }) => Promise<T>,
): Promise<T> {
  const region = openPagedRegion(options);
  const pager = createPager({ backend: region.backend, policy: policyNamed('fifo'), store: store.plugin });
  await pager.start();
  const worker = new Worker(new URL('./toucher.mjs', import.meta.url), { workerData: { region: region.id } });
  // One pass of the Worker writing (or reading) a word of every page in order; resolves with the time taken (ms).
  const touch = (write = true) =>
    new Promise<number>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
      worker.postMessage({ pages: PAGES, write });
    });
  try {
    return await body({ pager, region, touch });
  } finally {
    await worker.terminate();
    await pager.stop('hard');
    region.close();
    store.remove();
  }
}

function pagerRun(store: BenchStore, readAhead?: ReadAheadOptions, sampling?: AccessSamplingOptions): Promise<PagerRun> {
  return withRegion({ pages: PAGES, target: PAGES / 4, readAhead, sampling }, store, async ({ pager, touch }) => {
    const before = pager.stats.zeroFills;
    const firstMs = await touch();
    const firstTouches = pager.stats.zeroFills - before;
    await pager.settle();
    const { faults, pagedIn } = pager.stats;
    const ms = await touch(false);
    const refaults = pager.stats.faults - faults;
    const pagesIn = pager.stats.pagedIn - pagedIn;
    await pager.settle();
    const writeMs = await touch(true);
    return { refaultsPerSecond: (refaults / ms) * 1000, writtenPagesPerSecond: (PAGES / writeMs) * 1000, firstTouchesPerSecond: (firstTouches / firstMs) * 1000, pagesInPerSecond: (pagesIn / ms) * 1000, refaults };
  });
}

/**
 * Evictions per second when the target of a region with every page written drops to one page; with
 * `clean`, every page was paged out and back in (read only since), so the store still holds it.
 */
function evictionRun(store: BenchStore, clean = false): Promise<number> {
  return withRegion({ pages: PAGES }, store, async ({ pager, region, touch }) => {
    await touch();
    await pager.settle();
    if (clean) {
      region.backend.setTarget(1);
      await pager.settle();
      region.backend.setTarget(PAGES);
      await pager.settle();
      await touch(false);
    }
    const before = pager.stats.evictions;
    const start = performance.now();
    region.backend.setTarget(1);
    await pager.settle();
    return ((pager.stats.evictions - before) / (performance.now() - start)) * 1000;
  });
}

const native = nativeAddon();
const READ_AHEAD = { pages: 16, mode: 'fixed' } as const;
const pager: PagerRun[] = [];
const ahead: PagerRun[] = [];
const pagefile: PagerRun[] = [];
const evictMemory: number[] = [];
const evictPagefile: number[] = [];
const evictClean: number[] = [];
const cOnePage: number[] = [];
const cSixteen: number[] = [];
const cDrop: number[] = [];
const cCopyDrop: number[] = [];
const sampled: PagerRun[] = [];
const sampledPagefile: PagerRun[] = [];
const workloads = samplingWorkloads();
const replays = new Map<string, SamplingRun[]>();
for (let r = 0; r < RUNS; r++) {
  pager.push(await pagerRun(stores.memory()));
  sampled.push(await pagerRun(stores.memory(), undefined, BENCH_SAMPLING));
  sampledPagefile.push(await pagerRun(stores.pagefile(), undefined, BENCH_SAMPLING));
  cOnePage.push(PAGES / native.baseline(PAGES, 1));
  ahead.push(await pagerRun(stores.memory(), READ_AHEAD));
  cSixteen.push(PAGES / native.baseline(PAGES, 16));
  pagefile.push(await pagerRun(stores.pagefile()));
  evictMemory.push(await evictionRun(stores.memory()));
  cDrop.push(PAGES / native.dropBaseline(PAGES, 64));
  cCopyDrop.push(PAGES / native.dropBaseline(PAGES, 64, true));
  evictPagefile.push(await evictionRun(stores.pagefile()));
  evictClean.push(await evictionRun(stores.pagefile(), true));
  for (const [name, workload] of Object.entries(workloads))
    for (const [policy, sampling] of SAMPLING_CASES) {
      const key = `${name} ${policy}${sampling ? ' sampled' : ''}`;
      replays.set(key, [...(replays.get(key) ?? []), await samplingRun(workload, policy, sampling)]);
    }
}
const med = (values: readonly number[]): number => Math.round(median(values));
const refaults = med(pager.map((p) => p.refaultsPerSecond));
const firstTouches = med(pager.map((p) => p.firstTouchesPerSecond));
const aheadPages = med(ahead.map((p) => p.pagesInPerSecond));
const pagefileRefaults = med(pagefile.map((p) => p.refaultsPerSecond));
const faultsPlain = median(pager.map((p) => p.refaults));
const faultsAhead = median(ahead.map((p) => p.refaults));
const c1 = med(cOnePage);
const c16 = med(cSixteen);
const drop = med(cDrop);
const copyDrop = med(cCopyDrop);
const evictions = med(evictMemory);
const evictionsPagefile = med(evictPagefile);
const cleanEvictions = med(evictClean);
const written = med(pager.map((p) => p.writtenPagesPerSecond));
const k = (n: number): string => `${(n / 1e3).toFixed(1)} K`;
const sampledRefaults = med(sampled.map((p) => p.refaultsPerSecond));
const sampledPagefileRefaults = med(sampledPagefile.map((p) => p.refaultsPerSecond));
const replay = Object.fromEntries(
  [...replays].map(([key, runs]) => [key, { faults: med(runs.map((run) => run.faults)), ms: med(runs.map((run) => run.ms)), accessesSeen: med(runs.map((run) => run.accessesSeen)), pagesSampled: med(runs.map((run) => run.pagesSampled)) }]),
);
const saved = Object.fromEntries(
  Object.keys(workloads).flatMap((name) => {
    const xen = replay[`${name} xenpaging`]!.faults;
    return SAMPLING_CASES.filter(([, sampling]) => sampling).map(([policy]) => [`${name} ${policy} sampled`, +(1 - replay[`${name} ${policy} sampled`]!.faults / xen).toFixed(3)]);
  }),
);
console.log(`faults: ${k(refaults)}/s from the memory store, ${k(pagefileRefaults)}/s from the pagefile, ${k(firstTouches)} first touches/s; C handler ${k(c1)}/s (ratio ${(refaults / c1).toFixed(2)})`);
console.log(`read-ahead 16: ${k(aheadPages)} pages/s, ${faultsAhead} faults instead of ${faultsPlain}; C at 16 pages per fault ${k(c16)} pages/s (ratio ${(aheadPages / c16).toFixed(2)})`);
console.log(`evictions: ${k(evictions)}/s to the memory store, ${k(evictionsPagefile)}/s to the pagefile, ${k(cleanEvictions)}/s of clean pages (pagefile); C MADV_DONTNEED of 64-page runs ${k(drop)} pages/s (ratio ${(evictions / drop).toFixed(3)}); C copy-out and MADV_DONTNEED ${k(copyDrop)} pages/s (ratio ${(evictions / copyDrop).toFixed(3)})`);
console.log(`access sampling (${BENCH_SAMPLING.fraction} of the pages every ${BENCH_SAMPLING.intervalMs} ms): ${k(sampledRefaults)} faults/s, against ${k(refaults)}/s without (ratio ${(sampledRefaults / refaults).toFixed(2)}); pagefile ${k(sampledPagefileRefaults)}/s against ${k(pagefileRefaults)}/s`);
for (const [key, run] of Object.entries(replay)) console.log(`  ${key}: ${run.faults} faults, ${run.accessesSeen} accesses seen, replay ${run.ms} ms${saved[key] === undefined ? '' : `, ${(saved[key] * 100).toFixed(1)}% fewer faults than xenpaging`}`);
console.log(`writes after page-in (dirty tracking's extra fault): ${k(written)} pages/s, against ${k(refaults)} faults/s for reads`);
const out = writeBenchResults('linux', {
  method: `Medians of ${RUNS} runs, alternating. Pager: a ${PAGES}-page region held at a quarter by fifo; one Worker writes one word of every page in order (first touches, each a zero fill), then reads one word of each (every touch of a page that is out faults, and each page-in brings an eviction), then writes one word of each (a page-in and, dirty tracking's price, a write-protect fault per page), with the memory store and with the pagefile store. Read-ahead: the read pass with a fixed read-ahead of 16 pages (memory store); its pages/s counts every page brought in. Evictions: every page of a region written, then its target set to one page, timed until the pager settles; clean: the same after every page was paged out, back in and only read (pagefile store). C: a handler thread of the same addon answers a C thread's touches of ${PAGES} missing pages with one UFFDIO_COPY of 1 (or 16) pages from a buffer; MADV_DONTNEED of ${PAGES} written pages of a plain mapping, 64 per call, and the same with each run first copied (memcpy) to a buffer as large as the mapping. Access sampling: the read pass again (memory and pagefile stores) on a region opened with sampling (${BENCH_SAMPLING.fraction} of its pages every ${BENCH_SAMPLING.intervalMs} ms); replays: each workload's operations replayed by a Worker (one word read or written per operation) over a region of its pages held at a quarter, memory store; faults are the pager's, ms the replay's.`,
  targets: { ratioToC: 0.8, readAheadRatioToC16: 0.8, evictionRatioToDrop: 0.5 },
  faultsPerSecond: refaults,
  pagefileFaultsPerSecond: pagefileRefaults,
  firstTouchesPerSecond: firstTouches,
  cHandlerFaultsPerSecond: c1,
  ratioToC: +(refaults / c1).toFixed(3),
  readAheadPagesPerSecond: aheadPages,
  cHandler16PagesPerSecond: c16,
  readAheadRatioToC16: +(aheadPages / c16).toFixed(3),
  scanFaultsWithoutReadAhead: faultsPlain,
  scanFaultsWithReadAhead: faultsAhead,
  evictionsPerSecond: evictions,
  pagefileEvictionsPerSecond: evictionsPagefile,
  cDropPagesPerSecond: drop,
  evictionRatioToDrop: +(evictions / drop).toFixed(3),
  cCopyDropPagesPerSecond: copyDrop,
  evictionRatioToCopyDrop: +(evictions / copyDrop).toFixed(3),
  cleanEvictionRatioToDrop: +(cleanEvictions / drop).toFixed(3),
  cleanEvictionsPerSecond: cleanEvictions,
  writtenPagesPerSecond: written,
  accessSampling: {
    sampling: BENCH_SAMPLING,
    faultsPerSecond: sampledRefaults,
    ratioToUnsampled: +(sampledRefaults / refaults).toFixed(3),
    pagefileFaultsPerSecond: sampledPagefileRefaults,
    pagefileRatioToUnsampled: +(sampledPagefileRefaults / pagefileRefaults).toFixed(3),
    workloads: Object.fromEntries(Object.entries(workloads).map(([name, w]) => [name, { name: w.name, pages: w.pages, accesses: w.ops.length, target: Math.floor(w.pages / 4) }])),
    replays: replay,
    faultsSavedVsXenpaging: saved,
  },
  samples: { pager, readAhead: ahead, pagefile, evictMemory: evictMemory.map(Math.round), evictPagefile: evictPagefile.map(Math.round), evictClean: evictClean.map(Math.round), sampled, sampledPagefile, replays: Object.fromEntries(replays), cOnePage: cOnePage.map(Math.round), cSixteen: cSixteen.map(Math.round), cDrop: cDrop.map(Math.round), cCopyDrop: cCopyDrop.map(Math.round) },
});
console.log(`written ${out}`);
