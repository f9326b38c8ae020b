import { createPager, moduleWorker, type PagerStats, type PagevisorPlugin } from '@pagevisor/core';
import { openPagedRegion, type AccessSamplingOptions } from '@pagevisor/linux';
import type { Workload } from '@pagevisor/testing';
import type { LinuxWorkloadJob, LinuxWorkloadMessage } from './linux-workload-worker.js';
import { statsDetail } from './stats-detail.js';

const PAGE = 4096;
/** How often the region's resident memory is read from /proc for its peak. */
const RSS_SAMPLE_MS = 100;

/** What `pagevisor run --backend linux` runs. */
export interface LinuxRunOptions {
  readonly pages: number;
  /** Pages to keep resident. */
  readonly target: number;
  readonly policy: string;
  readonly store: string;
  /** Access sampling, if asked for. */
  readonly sampling?: Required<AccessSamplingOptions>;
}

/** The region's resident memory, measured from `/proc/self/smaps`, in bytes. */
export interface MeasuredRss {
  readonly before: number;
  /** The most seen while the workload ran (sampled every 100 ms: reading smaps holds the mmap lock). */
  readonly peak: number;
  /** Once the pager settled after the workload. */
  readonly afterWorkload: number;
  /** After the graceful stop brought every page in. */
  readonly afterStop: number;
}

/** What a Linux run did and found. */
export interface LinuxRunReport {
  readonly backend: 'linux';
  readonly pages: number;
  readonly target: number;
  readonly policy: string;
  readonly store: string;
  readonly workload: string;
  readonly operations: number;
  /** Operations done (fewer when interrupted). */
  readonly completed: number;
  readonly interrupted: boolean;
  /** Pages written by the workload (each first touch, each write). */
  readonly writes: number;
  readonly faults: number;
  readonly zeroFills: number;
  readonly pagedIn: number;
  readonly prefetched: number;
  readonly evictions: number;
  /** Evictions that wrote the page to the store. */
  readonly pagesWritten: number;
  readonly cleanEvictions: number;
  readonly zeroEvictions: number;
  /** Access sampling, if asked for. */
  readonly sampling?: Required<AccessSamplingOptions>;
  /** Pages access sampling soft-evicted, and the accesses it told the policy of (0 without sampling). */
  readonly pagesSampled: number;
  readonly accessesSeen: number;
  readonly rss: MeasuredRss;
  /** Reads during the workload that found a page's ends not holding its last write. */
  readonly readMismatches: number;
  /** Pages checked whole after the graceful stop, and how many were wrong. */
  readonly checked: number;
  readonly badPages: number;
  readonly firstBad?: string;
  readonly seconds: number;
}

/** Hooks of {@link runLinux}. */
export interface LinuxRunHooks {
  readonly onProgress: (done: number, total: number, detail: string) => void;
  /** Ends the workload early: the graceful stop and the check still run. */
  readonly signal: AbortSignal;
}

/**
 * Runs `workload` on a real region of this process paged by userfaultfd: a Worker touches the pages,
 * this thread serves the faults and keeps the region at the target; then a graceful stop, and a
 * check of every page's content.
 */
export async function runLinux(options: LinuxRunOptions, workload: Workload, policy: PagevisorPlugin, store: PagevisorPlugin, hooks: LinuxRunHooks): Promise<LinuxRunReport> {
  const started = performance.now();
  const region = openPagedRegion({ pages: options.pages, target: options.target, name: 'run', ...(options.sampling === undefined ? {} : { sampling: options.sampling }) });
  const pager = createPager({ backend: region.backend, policy, store });
  await pager.start();
  const before = region.measuredResidentBytes();
  let peak = before;
  const sampler = setInterval(() => (peak = Math.max(peak, region.measuredResidentBytes())), RSS_SAMPLE_MS);
  const job: LinuxWorkloadJob = { region: region.id, pages: options.pages, ops: workload.ops, targets: workload.targets };
  const worker = moduleWorker(import.meta.url, 'linux-workload-worker', { workerData: job });
  const next = (type: LinuxWorkloadMessage['type']) =>
    new Promise<LinuxWorkloadMessage>((resolve, reject) => {
      const onMessage = (message: LinuxWorkloadMessage) => {
        if (message.type === 'progress') {
          hooks.onProgress(message.done, workload.ops.length, `${message.done}/${workload.ops.length} ops, ${statsDetail(pager.stats)}`);
          return;
        }
        if (message.type !== type) return;
        worker.off('message', onMessage);
        resolve(message);
      };
      worker.on('message', onMessage);
      worker.once('error', reject);
    });
  const stop = () => worker.postMessage('stop');
  let stopped = false;
  hooks.signal.addEventListener('abort', stop, { once: true });
  try {
    const done = (await next('done')) as Extract<LinuxWorkloadMessage, { type: 'done' }>;
    clearInterval(sampler);
    await pager.settle();
    const afterWorkload = region.measuredResidentBytes();
    peak = Math.max(peak, afterWorkload);
    const stats: PagerStats = pager.stats;
    await pager.stop('graceful');
    stopped = true;
    const afterStop = region.measuredResidentBytes();
    worker.postMessage('check');
    const checked = (await next('checked')) as Extract<LinuxWorkloadMessage, { type: 'checked' }>;
    return {
      backend: 'linux',
      ...options,
      workload: workload.name,
      operations: workload.ops.length,
      completed: done.done,
      interrupted: hooks.signal.aborted,
      writes: done.writes,
      faults: stats.faults,
      zeroFills: stats.zeroFills,
      pagedIn: stats.pagedIn,
      prefetched: stats.prefetched,
      evictions: stats.evictions,
      pagesWritten: stats.evictions - stats.cleanEvictions - stats.zeroEvictions,
      cleanEvictions: stats.cleanEvictions,
      zeroEvictions: stats.zeroEvictions,
      pagesSampled: region.backend.pagesSampled,
      accessesSeen: stats.accessesSeen,
      rss: { before, peak, afterWorkload, afterStop },
      readMismatches: done.readMismatches,
      checked: checked.pages,
      badPages: checked.bad,
      ...(checked.firstBad === undefined ? {} : { firstBad: checked.firstBad }),
      seconds: (performance.now() - started) / 1000,
    };
  } finally {
    clearInterval(sampler);
    hooks.signal.removeEventListener('abort', stop);
    await worker.terminate();
    // After a failure the pager stops hard before the region goes (the failure is what is reported).
    if (!stopped) await pager.stop('hard').catch(() => undefined);
    region.close();
  }
}


/** Why a Linux run failed, if it did: pages wrong, or the region above its target once settled. */
export function linuxRunFailures(report: LinuxRunReport): string[] {
  const failures: string[] = [];
  if (report.badPages > 0) failures.push(`${report.badPages} of ${report.checked} pages hold the wrong content (${report.firstBad})`);
  if (report.readMismatches > 0) failures.push(`${report.readMismatches} reads found a page not holding its last write`);
  if (report.rss.afterWorkload > report.target * PAGE) failures.push(`the region held ${mib(report.rss.afterWorkload)} once settled, above its target of ${mib(report.target * PAGE)}`);
  return failures;
}

/** Bytes as MiB with one decimal. */
export function mib(bytes: number): string {
  return `${(bytes / 2 ** 20).toFixed(1)} MiB`;
}
