import { createPager, isPagevisorError, parseSize, type PagerStats, type PagevisorPlugin } from '@pagevisor/core';
import { xenpaging } from '@pagevisor/policies';
import { guessTraceFormat } from '../trace-format.js';
import {
  GuestRunner,
  InvariantAuditor,
  loopWorkload,
  mixWorkload,
  readTrace,
  scanWorkload,
  SimHypervisor,
  traceWorkload,
  zipfWorkload,
  type TraceFormat,
  type Workload,
} from '@pagevisor/testing';

/** Everything `pagevisor run` can be told. */
export interface SimulationOptions {
  readonly abi: string;
  readonly pages: number;
  readonly target: string;
  readonly policy: string;
  readonly store: string;
  readonly workload: string;
  readonly format: TraceFormat | undefined;
  readonly accesses: number;
  readonly seed: number;
  readonly vcpus: number;
}

/** The guest and the pager at one moment of a run (for `--report`). */
export interface RunSample {
  /** Operations done. */
  readonly op: number;
  /** Pages resident (`tot_pages`). */
  readonly resident: number;
  /** The pager's target. */
  readonly target: number;
  /** Faults served so far. */
  readonly faults: number;
  /** Pages evicted so far. */
  readonly evictions: number;
}

/** What a run reports (the `--json` line). */
export interface SimulationReport {
  readonly abi: string;
  readonly pages: number;
  readonly target: number;
  readonly policy: string;
  readonly store: string;
  readonly workload: string;
  readonly ops: number;
  readonly pagedOut: number;
  readonly pagedIn: number;
  readonly faults: number;
  readonly drops: number;
  readonly evictFails: number;
  readonly ringFull: number;
  readonly integrity: { readonly checked: number; readonly mismatches: number };
  readonly invariantViolations: number;
  readonly stalled: boolean;
  readonly seconds: number;
  readonly faultsPerSecond: number;
}

const POLICIES: Readonly<Record<string, () => PagevisorPlugin>> = { xenpaging: () => xenpaging() };

/** The policy plugin named, or an error line listing the ones this release has. */
export function policyNamed(name: string): PagevisorPlugin | string {
  const make = POLICIES[name];
  return make === undefined ? `--policy: no policy "${name}" in this release (policies: ${Object.keys(POLICIES).join(', ')})` : make();
}


function workloadNamed(options: SimulationOptions, pages: number): Workload {
  const generator = { pages, accesses: options.accesses, seed: options.seed };
  switch (options.workload) {
    case 'zipf':
      return zipfWorkload(generator);
    case 'loop':
      return loopWorkload({ ...generator, loop: Math.floor(pages * 0.75) });
    case 'scan':
      return scanWorkload(generator);
    case 'mix':
      return mixWorkload(generator);
    default:
      return traceWorkload(readTrace(options.workload, { format: options.format ?? guessTraceFormat(options.workload) }));
  }
}


function progressDetail(done: number, total: number, stats: PagerStats): string {
  return `${done}/${total} ops, ${stats.faults} faults, ${stats.pagedOut} pages out`;
}

/**
 * Runs a pager on a simulated guest: pages it down to the target, replays the workload, stops
 * gracefully, then checks every page's content and every invariant.
 */
export async function runSimulation(
  options: SimulationOptions,
  policy: PagevisorPlugin,
  store: PagevisorPlugin,
  onProgress: (done: number, total: number, detail: string) => void,
  onSample?: (sample: RunSample) => void,
): Promise<SimulationReport> {
  const hv = new SimHypervisor({ abi: options.abi, machineFrames: options.pages + 1024 });
  const guest = hv.createDomain({ maxPages: options.pages, vcpus: options.vcpus, seed: options.seed });
  const target = parseSize(options.target, guest.totPages, 'target');
  const workload = workloadNamed(options, Math.max(1, Math.floor(guest.totPages * 0.9)));
  const pager = createPager({ hypervisor: hv, domain: guest.domid, policy, store, config: { abi: options.abi, seed: options.seed } });
  const started = performance.now();
  const total = workload.ops.length;
  const sampleEvery = Math.max(1, Math.floor(total / 200));
  let step = 0;
  const sample = (): void => {
    const s = pager.stats;
    onSample?.({ op: Math.min(step, total), resident: hv.domainInfo(guest.domid).totPages, target: s.target, faults: s.faults, evictions: s.evictions });
  };
  await pager.start();
  sample(); // the guest before paging down
  hv.setTarget(guest.domid, target);
  await pager.settle();
  sample(); // paged down to the target
  const runner = new GuestRunner(hv, guest.domid, workload);
  const result = await runner.run(() => {
    if (++step % 4096 === 0) onProgress(Math.min(step, total), total, progressDetail(Math.min(step, total), total, pager.stats));
    if (step % sampleEvery === 0) sample();
    return pager.settle();
  });
  sample();
  const stats = pager.stats;
  const ringFull = guest.paging?.counters.ringFull ?? 0;
  await pager.stop('graceful');
  const seconds = (performance.now() - started) / 1000;
  onProgress(total, total, progressDetail(total, total, stats));
  const integrity = hv.contentMismatches(guest.domid);
  let invariantViolations = 0;
  try {
    new InvariantAuditor(hv).auditDomain(guest, 'end of run');
  } catch (error) {
    if (!isPagevisorError(error, 'INVARIANT')) throw error;
    invariantViolations = 1;
  }
  return {
    abi: options.abi,
    pages: options.pages,
    target,
    policy: options.policy,
    store: options.store,
    workload: workload.name,
    ops: result.ops,
    pagedOut: stats.evictions,
    pagedIn: stats.pagedIn,
    faults: stats.faults,
    drops: stats.drops,
    evictFails: stats.evictFails,
    ringFull,
    integrity: { checked: integrity.checked, mismatches: integrity.mismatches.length },
    invariantViolations,
    stalled: result.stalled,
    seconds: +seconds.toFixed(3),
    faultsPerSecond: Math.round(stats.faults / seconds),
  };
}
