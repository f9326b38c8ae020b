import { createPager, isPagevisorError, parseSize, type EvictFailReason, type PagerStats, type PagevisorPlugin } from '@pagevisor/core';
import { GuestRunner, InvariantAuditor, SimHypervisor, type TraceFormat } from '@pagevisor/testing';
import { workloadNamed } from './workload-named.js';
import { statsDetail } from './stats-detail.js';
import { nextTurn } from '../next-turn.js';
import { describeTarget } from './target-note.js';

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

/** The phases of a run, in order; each reports its own progress. */
export type RunPhase = 'page down' | 'workload' | 'graceful stop' | 'integrity check';

/** What a run tells its caller as it goes. */
export interface RunHooks {
  /** `done` of `total` units of `phase` (pages or operations, as `detail` says). */
  readonly onProgress: (phase: RunPhase, done: number, total: number, detail: string) => void;
  /** The guest and the pager at one moment (for `--report`). */
  readonly onSample?: (sample: RunSample) => void;
  /** Aborts the workload: the run goes on to the graceful stop and the checks, marked interrupted. */
  readonly signal?: AbortSignal;
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
  /** Evictions so far. */
  readonly evictions: number;
}

/** What a run reports (the `--json` line). */
export interface SimulationReport {
  readonly abi: string;
  /** gfns of the guest (`--pages`). */
  readonly pages: number;
  /** gfns that are guest RAM; the rest are holes (the VGA/BIOS hole), never paged or checked. */
  readonly ramPages: number;
  /** The target in force at the end (the last of {@link SimulationReport.targets}). */
  readonly target: number;
  /** The targets in turn: the workload is split into as many equal parts, each run under its own. */
  readonly targets: readonly number[];
  /** The target in words and why (`32720 pages: 50% of the guest's 65440 RAM pages`). */
  readonly targetNote: string;
  readonly policy: string;
  readonly store: string;
  readonly workload: string;
  /** Operations the workload has. */
  readonly opsPlanned: number;
  /** Operations done (fewer than planned when interrupted or stalled). */
  readonly ops: number;
  /** Pages resident when the workload ended, before the graceful stop paged everything in. */
  readonly residentAtEnd: number;
  /** Evictions during the run, a running total (a page evicted twice counts twice). */
  readonly evictions: number;
  /** Pages out when the workload ended (a current count; the graceful stop brings it to 0). */
  readonly pagesOut: number;
  readonly pagedIn: number;
  readonly faults: number;
  readonly drops: number;
  readonly evictFails: number;
  readonly evictFailReasons: Readonly<Record<EvictFailReason, number>>;
  readonly ringFull: number;
  readonly integrity: { readonly checked: number; readonly mismatches: number };
  readonly invariantViolations: number;
  readonly stalled: boolean;
  /** The signal that stopped the workload early, or `null`. */
  readonly interrupted: string | null;
  /** Wall-clock seconds of each phase. */
  readonly phaseSeconds: Readonly<Record<RunPhase, number>>;
  /** Wall-clock seconds of the whole run. */
  readonly seconds: number;
  /** Faults served per wall-clock second of the workload phase. */
  readonly faultsPerSecond: number;
}

/** gfns checked per step of the integrity check, with progress and a turn for the event loop between. */
const CHECK_STEP = 1 << 16;



/**
 * Runs a pager on a simulated guest: pages it down to the target, replays the workload, stops
 * gracefully (every page back in), then checks every page's content and every invariant. An aborted
 * `hooks.signal` ends the workload early; the stop and the checks still run.
 */
export async function runSimulation(options: SimulationOptions, policy: PagevisorPlugin, store: PagevisorPlugin, hooks: RunHooks): Promise<SimulationReport> {
  const hv = new SimHypervisor({ abi: options.abi, machineFrames: options.pages + 1024 });
  const guest = hv.createDomain({ maxPages: options.pages, vcpus: options.vcpus, seed: options.seed });
  const ramPages = guest.totPages;
  const targets = options.target.split(',').map((part) => parseSize(part, ramPages, 'target'));
  const target = targets[0]!;
  const workload = workloadNamed(options, Math.max(1, Math.floor(ramPages * 0.9)));
  const pager = createPager({ hypervisor: hv, domid: guest.domid, policy, store, abi: options.abi, config: { seed: options.seed } });
  const phaseSeconds: Record<RunPhase, number> = { 'page down': 0, workload: 0, 'graceful stop': 0, 'integrity check': 0 };
  const started = performance.now();
  let phaseStart = started;
  const endPhase = (phase: RunPhase): void => {
    const now = performance.now();
    phaseSeconds[phase] = +((now - phaseStart) / 1000).toFixed(3);
    phaseStart = now;
  };
  const total = workload.ops.length;
  let done = 0;
  const sample = (): void => {
    const s = pager.stats;
    hooks.onSample?.({ op: done, resident: hv.domainInfo(guest.domid).totPages, target: s.target, faults: s.faults, evictions: s.evictions });
  };

  // Page down: progress in pages evicted toward the target.
  await pager.start();
  sample(); // the guest before paging down
  const toEvict = Math.max(0, ramPages - target);
  const evicting = pager.events$.subscribe((event) => {
    if (event.type === 'batch.evicted') hooks.onProgress('page down', Math.min(pager.stats.evictions, toEvict), toEvict, `${pager.stats.evictions}/${toEvict} pages evicted`);
  });
  hv.setTarget(guest.domid, target);
  await pager.settle();
  evicting.unsubscribe();
  hooks.onProgress('page down', toEvict, toEvict, `${pager.stats.evictions} pages evicted`);
  endPhase('page down');
  sample(); // paged down to the target

  // The workload, in steps of 1/200 of it: progress and a sample after each, and a turn for the
  // event loop (signals, timers) in between.
  const runner = new GuestRunner(hv, guest.domid, workload);
  const step = Math.max(1, Math.ceil(total / 200));
  let stalled = false;
  let part = 0;
  while (!runner.done && hooks.signal?.aborted !== true) {
    // The next target takes over at the start of its part of the workload.
    if (part + 1 < targets.length && done >= Math.floor((total * (part + 1)) / targets.length)) hv.setTarget(guest.domid, targets[++part]!);
    const result = await runner.run(() => pager.settle(), Math.min(step, Math.max(1, Math.floor((total * (part + 1)) / targets.length) - done)));
    done += result.ops;
    sample();
    hooks.onProgress('workload', done, total, `${done}/${total} ops, ${statsDetail(pager.stats)}`);
    if (result.stalled || result.crashed !== undefined) {
      stalled = result.stalled;
      break;
    }
    await nextTurn();
  }
  const stats = pager.stats;
  const residentAtEnd = hv.domainInfo(guest.domid).totPages;
  const ringFull = guest.paging?.counters.ringFull ?? 0;
  endPhase('workload');

  // Graceful stop: progress in pages brought back in.
  const out = stats.pagesOut;
  const pagingIn = pager.events$.subscribe((event) => {
    if (event.type === 'batch.paged-in') hooks.onProgress('graceful stop', out - pager.stats.pagesOut, out, `${out - pager.stats.pagesOut}/${out} pages back in`);
  });
  await pager.stop('graceful');
  pagingIn.unsubscribe();
  hooks.onProgress('graceful stop', out, out, `${out}/${out} pages back in`);
  endPhase('graceful stop');

  // Integrity: every RAM page's content, in steps with progress.
  let checked = 0;
  let mismatches = 0;
  for (let start = 0; start < options.pages; start += CHECK_STEP) {
    const part = hv.contentMismatches(guest.domid, { start, end: start + CHECK_STEP });
    checked += part.checked;
    mismatches += part.mismatches.length;
    hooks.onProgress('integrity check', checked, ramPages, `${checked}/${ramPages} pages checked, ${mismatches} mismatches`);
    await nextTurn();
  }
  let invariantViolations = 0;
  try {
    new InvariantAuditor(hv.frames).auditDomain(guest, 'end of run');
  } catch (error) {
    if (!isPagevisorError(error, 'INVARIANT')) throw error;
    invariantViolations = 1;
  }
  endPhase('integrity check');
  return {
    abi: options.abi,
    pages: options.pages,
    ramPages,
    target: targets[part]!,
    targets,
    targetNote: describeTarget(options.target, targets, ramPages),
    policy: options.policy,
    store: options.store,
    workload: workload.name,
    opsPlanned: total,
    ops: done,
    residentAtEnd,
    evictions: stats.evictions,
    pagesOut: stats.pagesOut,
    pagedIn: stats.pagedIn,
    faults: stats.faults,
    drops: stats.drops,
    evictFails: stats.evictFails,
    evictFailReasons: stats.evictFailReasons,
    ringFull,
    integrity: { checked, mismatches },
    invariantViolations,
    stalled,
    interrupted: hooks.signal?.aborted === true ? String(hooks.signal.reason) : null,
    phaseSeconds,
    seconds: +((performance.now() - started) / 1000).toFixed(3),
    faultsPerSecond: phaseSeconds.workload > 0 ? Math.round(stats.faults / phaseSeconds.workload) : 0,
  };
}
