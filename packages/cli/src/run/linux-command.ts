import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseSize } from '@pagevisor/core';
import { checkAccessSampling, userfaultfdSupport, type AccessSamplingOptions } from '@pagevisor/linux';
import type { TraceFormat } from '@pagevisor/testing';
import type { CliIo } from '../cli-io.js';
import type { CommandArgs } from '../command.js';
import { integerFlag } from '../flags.js';
import type { Interrupt } from '../interrupt.js';
import { userPath } from '../paths.js';
import { chosenStorePlugin, RUN_REDIS_PREFIX, storeChoice, type StoreChoice } from '../store/store-choice.js';
import { UsageError } from '../usage-error.js';
import { linuxRunFailures, mib, runLinux, type LinuxRunReport } from './linux-run.js';
import { policyChoice } from './policy-choice.js';
import { progressReporter } from './progress.js';
import { workloadNamed } from './workload-named.js';

const COMMAND = 'run';
const GENERATED = ['phases', 'zipf', 'loop', 'scan', 'mix'];
/** Flags of the simulated run that mean nothing on real memory: refused, not ignored. */
const SIMULATION_ONLY = ['abi', 'vcpus', 'report', 'interleave', 'shrink', 'schedule', 'xen-bugs', 'reuse', 'overwrite', 'allow-above-target'];

/**
 * `pagevisor run --backend linux`: the workload in a Worker over a real region of this process, paged
 * by userfaultfd; a summary with faults, evictions, pages written and the region's RSS from /proc, and
 * a check of every page's content.
 */
export async function runOnLinux(values: CommandArgs['values'], io: CliIo, interrupt: Interrupt): Promise<number> {
  for (const flag of SIMULATION_ONLY) if (values[flag] !== undefined) throw new UsageError(`--${flag} does not apply to --backend linux (real memory of this process)`, COMMAND);
  const support = userfaultfdSupport();
  if (!support.available) {
    io.err(`pagevisor run: --backend linux needs userfaultfd: ${support.problem.message}\n`);
    return 1;
  }
  const workloadName = typeof values['workload'] === 'string' ? values['workload'] : 'zipf';
  const generated = GENERATED.includes(workloadName);
  if (!generated && values['pages'] !== undefined) throw new UsageError('--pages does not apply to a trace: the region has a page per distinct page of the trace', COMMAND);
  const choice = {
    workload: generated ? workloadName : userPath(workloadName),
    format: values['format'] as TraceFormat | undefined,
    accesses: integerFlag(COMMAND, 'accesses', values['accesses'], 100_000, 1, 100_000_000),
    seed: integerFlag(COMMAND, 'seed', values['seed'], 1, 0, 0xffff_ffff),
  };
  const requestedPages = integerFlag(COMMAND, 'pages', values['pages'], 16384, 16, 1 << 24);
  const workload = workloadNamed(choice, requestedPages);
  const pages = generated ? requestedPages : workload.pages;
  const targetFlag = typeof values['target'] === 'string' ? values['target'] : '25%';
  let target: number;
  try {
    if (targetFlag.includes(',')) throw new Error(`--target ${targetFlag}: --backend linux takes one target`);
    target = Math.max(1, parseSize(targetFlag, pages, '--target'));
  } catch (error) {
    throw new UsageError((error as Error).message, COMMAND);
  }
  const store = storeChoice(values, COMMAND, 'memory', RUN_REDIS_PREFIX);
  const compress = values['compress'] as 'deflate' | 'brotli' | undefined;
  if (compress !== undefined && compress !== 'deflate' && compress !== 'brotli') throw new UsageError(`--compress ${JSON.stringify(compress)}: expected deflate or brotli`, COMMAND);
  const sampling = samplingFlag(values['sampling']);
  const policy = await policyChoice(typeof values['policy'] === 'string' ? values['policy'] : 'clock', COMMAND);
  // A pagefile or database without --path lives in a temporary directory removed after the run.
  const temporary = (store.kind === 'pagefile' || store.kind === 'sqlite') && store.path === undefined ? mkdtempSync(join(tmpdir(), 'pagevisor-run-')) : undefined;
  const chosen: StoreChoice = temporary === undefined ? store : { ...store, path: join(temporary, store.kind === 'pagefile' ? 'region.pagefile' : 'region.sqlite') };
  let report: LinuxRunReport;
  try {
    const progress = progressReporter(io);
    report = await runLinux(
      { pages, target, policy: policy.name, store: `${chosen.kind}${compress ? `+${compress}` : ''}`, ...(sampling === undefined ? {} : { sampling }) },
      workload,
      policy.plugin,
      chosenStorePlugin(chosen, compress),
      { onProgress: (done, total, detail) => progress('workload', done, total, detail), signal: interrupt.signal },
    );
  } finally {
    if (temporary !== undefined) rmSync(temporary, { recursive: true, force: true });
  }
  const failures = linuxRunFailures(report);
  if (values['json'] === true) io.out(JSON.stringify({ ...report, failures }) + '\n');
  else printLinuxSummary(report, failures, io);
  return failures.length === 0 ? 0 : 1;
}

function printLinuxSummary(r: LinuxRunReport, failures: readonly string[], io: CliIo): void {
  const rows: Array<[string, string]> = [
    ['backend', `linux (userfaultfd): a region of ${r.pages} pages (${mib(r.pages * 4096)}) of this process, target ${r.target} pages (${mib(r.target * 4096)})`],
    ['policy, store', `${r.policy}, ${r.store}`],
    ['workload', `${r.workload}: ${r.completed} of ${r.operations} operations in a Worker${r.interrupted ? ' (interrupted)' : ''}, ${r.writes} page writes`],
    ['faults', `${r.faults} (${r.zeroFills} first touches filled with zeros), ${r.pagedIn} paged in, ${r.prefetched} prefetched`],
    ['access sampling', r.sampling === undefined ? 'off: the policy hears of faults only' : `${r.sampling.fraction} of the pages every ${r.sampling.intervalMs} ms: ${r.pagesSampled} soft-evictions, ${r.accessesSeen} accesses told to the policy`],
    ['evictions', `${r.evictions}: ${r.pagesWritten} written to the store, ${r.cleanEvictions} clean (the store held them), ${r.zeroEvictions} zero pages`],
    ['RSS (/proc)', `before ${mib(r.rss.before)}, peak ${mib(r.rss.peak)}, after the workload ${mib(r.rss.afterWorkload)} (target ${mib(r.target * 4096)}), after the graceful stop ${mib(r.rss.afterStop)}`],
    ['integrity', `${r.checked} pages checked after the graceful stop: ${r.badPages} wrong; ${r.readMismatches} reads found a stale page`],
    ['time', `${r.seconds.toFixed(2)} s`],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  for (const [k, v] of rows) io.out(`${k.padEnd(width)}  ${v}\n`);
  io.out(failures.length === 0 ? `verdict${' '.repeat(width - 7)}  ok: every page holds what was last written, and the region stayed at its target\n` : `verdict${' '.repeat(width - 7)}  FAILED: ${failures.join('; ')}\n`);
}

/** `--sampling FRACTION[,MS]`: the share of the region's pages the sampling hand passes every MS ms (default 20). */
function samplingFlag(value: unknown): Required<AccessSamplingOptions> | undefined {
  if (value === undefined) return undefined;
  const refuse = (why: string) => new UsageError(`--sampling ${JSON.stringify(value)}: expected FRACTION[,MS], a share of the pages above 0 and at most 1, and milliseconds from 1 to 60000 (0.25,5)${why}`, COMMAND);
  const [fractionText = '', msText, extra] = String(value).split(',');
  if (extra !== undefined || fractionText.trim() === '' || msText?.trim() === '') throw refuse('');
  try {
    return checkAccessSampling({ fraction: Number(fractionText), ...(msText === undefined ? {} : { intervalMs: Number(msText) }) });
  } catch (error) {
    throw refuse(`: ${(error as Error).message}`);
  }
}
