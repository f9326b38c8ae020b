import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDefaultAbiRegistry, isPagevisorError } from '@pagevisor/core';
import { TRACE_FORMATS, type TraceFormat } from '@pagevisor/testing';
import type { Command } from '../command.js';
import type { CliIo } from '../cli-io.js';
import { UsageError } from '../usage-error.js';
import { runSimulation, type RunSample, type SimulationReport } from '../run/simulation.js';
import { runReportHtml } from '../report/run-report.js';
import { runFailures, summaryRows, verdictLine } from '../run/summary-rows.js';
import { progressReporter } from '../run/progress.js';
import { runInterleavedChoice } from '../run/interleaved.js';
import { runOnLinux } from '../run/linux-command.js';
import { LIVE_POLICIES } from '@pagevisor/policies';
import { policyChoice } from '../run/policy-choice.js';
import { integerFlag } from '../flags.js';
import { requireParentDirectory, userPath } from '../paths.js';
import { claimStore, type ExistingStore } from '../store/claim-store.js';
import { chosenStorePlugin, FSYNC_FLAG, FSYNC_FLAG_HELP, RUN_REDIS_PREFIX, STORE_FLAGS, storeChoice, type StoreChoice } from '../store/store-choice.js';

const COMMAND = 'run';
const COMPRESSION = ['deflate', 'brotli'] as const;
const GENERATED_WORKLOADS = ['phases', 'zipf', 'loop', 'scan', 'mix'];

function integer(name: string, value: string | boolean | undefined, fallback: number, min: number, max: number): number {
  return integerFlag(COMMAND, name, value, fallback, min, max);
}

/** `pagevisor run`: a pager on a simulated guest, with a summary and an integrity check. */
export const runCommand: Command = {
  path: ['run'],
  summary: 'run a pager on a simulated Xen guest and check that no page was lost',
  help: `Usage: pagevisor run [options]

Creates a simulated HVM guest, starts a pager on it, pages it down to the
target, replays a workload on its vcpus, stops the pager gracefully (every
page back in), then checks every page's content and every simulator invariant.
Progress goes to stderr, phase by phase (a bar on a terminal, a line every 10%
otherwise); the summary, ending with a verdict line, to stdout. Ctrl-C or
SIGTERM ends the workload early: the pager still pages everything back in, the
summary and report are written marked interrupted, temporary stores are
removed, and the exit code is 130 (143); a second Ctrl-C exits at once.

Options:
  --backend B       xen (default: a simulated Xen guest) | linux: a real region
                    of this process paged with userfaultfd, touched by a Worker;
                    the summary has the region's RSS from /proc (before, peak,
                    after) against the target. With linux: --pages (default
                    16384), one --target (default 25%), --policy (default clock),
                    --store (default memory), --workload (default zipf), --format,
                    --accesses, --seed, --json; the first touch of each page and
                    each write fill it with a recognisable word, checked on reads
                    and, for every page, after the graceful stop
  --sampling F[,MS] with linux: access sampling, so the policy hears of hits,
                    not only faults: every MS ms (default 20) a hand passes the
                    share F of the region's pages (0.25) and soft-evicts the
                    resident ones; their next touch is a minor fault, answered
                    at once and told to the policy
  --abi ID          paging ABI of the simulated Xen (default vm_event/v7)
  --pages N         guest size in gfns, 4 KiB each (default 65536 = 256 MiB)
  --target T        memory target: pages (8192), memory in KiB/MiB/GiB of 4 KiB
                    pages (4M = 4 MiB = 1024 pages), or a share of the guest's
                    RAM (25%); a list (50%,25%,50%) splits the workload into as
                    many equal parts, each under its target (default 50%,25%,50%)
  --allow-above-target  exit 0 even if the workload ends far above the target
  --policy P        victim policy (default xenpaging): ${LIVE_POLICIES.join(', ')},
                    clockN, or a module exporting a plugin factory:
                    ./my-policy.js (or ./my-policy.js#exportName)
  --store NAME      page store: pagefile | sqlite | memory | redis (default
                    pagefile; pagefile and sqlite go to a new temp dir unless
                    --path is given)
  --path P          the pagefile (pagefile) or database (sqlite); its directory
                    must exist
  --reuse           page on top of the pages a store at --path (or under
                    --prefix) already holds
  --overwrite       discard them first (a file that is not a store is never
                    overwritten)
${FSYNC_FLAG_HELP}
  --url U           redis://host:port or redis+cluster://host:port,host:port
  --prefix X        Redis key prefix (default ${RUN_REDIS_PREFIX})
  --compress C      compress pages in the store: deflate | brotli
  --workload W      phases (a Zipf working set that moves 4 times) | zipf | loop |
                    scan | mix | a trace file (default phases)
  --format F        trace format: ${TRACE_FORMATS.join(' | ')} (guessed from the name)
  --accesses N      operations of generated workloads (default 100000)
  --vcpus N         guest vcpus (default 4)
  --seed S          seed of the guest and the workload (default 1)
  --json            print the report as one JSON object on the last line
  --report FILE     write an HTML report: resident pages against the target,
                    faults and evictions over time, the integrity result
  --interleave S    instead, one run of the interleaving harness with seed S:
                    guest accesses, balloon, grant and foreign maps and target
                    changes run inside the pager's batches, at every call it
                    makes (memory store; --abi, --policy, --pages default 1024,
                    --vcpus, --accesses as guest steps, default 1500, apply);
                    exit 1 on a hang, a fault loop or a lost page, naming the
                    seed, the gfn, its p2m state and the blocked vcpu
  --shrink          with --interleave, on a failure: find the shortest failing
                    schedule and print it
  --schedule FILE   with --interleave: replay a schedule --shrink printed
  --xen-bugs        with --interleave: the simulator keeps Xen's own bugs (4.1's
                    evict re-checks nothing, stale M2P entries), to see them found
  --help            show this help

Exit codes: 0 ok, 1 integrity or invariant check failed, the guest stalled,
or the workload ended far above the target, 2 bad usage, 130/143 interrupted.

Examples:
  pagevisor run
  pagevisor run --abi mem_event/age1 --pages 16384 --target 25% --workload mix --json
  pagevisor run --workload traces/lirs-sprite.trace.gz --format lirs --target 4M
  pagevisor run --policy adaptive --store sqlite --path guest.sqlite --overwrite
  pagevisor run --policy ./my-policy.js --report run.html
  pagevisor run --store redis --url redis://127.0.0.1:6379 --compress deflate
  pagevisor run --interleave 1 --abi mem_event/age2 --xen-bugs --shrink
  pagevisor run --backend linux --pages 65536 --target 25% --policy clock --store pagefile --workload zipf
  pagevisor run --backend linux --policy lru --sampling 0.25,5 --workload traces/lirs-sprite.trace.gz
`,
  options: {
    backend: { type: 'string' },
    abi: { type: 'string' },
    pages: { type: 'string' },
    target: { type: 'string' },
    'allow-above-target': { type: 'boolean' },
    policy: { type: 'string' },
    ...STORE_FLAGS,
    ...FSYNC_FLAG,
    reuse: { type: 'boolean' },
    overwrite: { type: 'boolean' },
    compress: { type: 'string' },
    workload: { type: 'string' },
    format: { type: 'string' },
    accesses: { type: 'string' },
    vcpus: { type: 'string' },
    seed: { type: 'string' },
    json: { type: 'boolean' },
    report: { type: 'string' },
    interleave: { type: 'string' },
    shrink: { type: 'boolean' },
    schedule: { type: 'string' },
    'xen-bugs': { type: 'boolean' },
    sampling: { type: 'string' },
  },
  positionals: false,
  async run({ values }, io, interrupt) {
    const backend = values.backend ?? 'xen';
    if (backend !== 'xen' && backend !== 'linux') throw new UsageError(`--backend ${JSON.stringify(backend)}: expected xen (the simulated guest) or linux (real memory)`, COMMAND);
    if (backend === 'linux') return runOnLinux(values, io, interrupt);
    if (values.sampling !== undefined) throw new UsageError('--sampling applies to --backend linux: the simulated Xen reports faults only, as its paging ring does', COMMAND);
    const abi = typeof values.abi === 'string' ? values.abi : 'vm_event/v7';
    if (!createDefaultAbiRegistry().has(abi)) throw new UsageError(`--abi: unknown paging ABI "${abi}" (see pagevisor abi list)`, COMMAND);
    const format = values.format;
    if (format !== undefined && !TRACE_FORMATS.includes(format as TraceFormat)) {
      throw new UsageError(`--format ${JSON.stringify(format)}: expected ${TRACE_FORMATS.join(', ')}`, COMMAND);
    }
    if (values.interleave !== undefined) return interleaved(values, abi, io);
    for (const flag of ['shrink', 'schedule', 'xen-bugs'] as const) if (values[flag] !== undefined) throw new UsageError(`--${flag} needs --interleave SEED`, COMMAND);
    const workload = typeof values.workload === 'string' ? values.workload : 'phases';
    const store = storeChoice(values, COMMAND, 'pagefile', RUN_REDIS_PREFIX);
    const options = {
      abi,
      pages: integer('pages', values.pages, 65536, 1024, 1 << 24),
      target: typeof values.target === 'string' ? values.target : '50%,25%,50%',
      workload: GENERATED_WORKLOADS.includes(workload) ? workload : userPath(workload),
      format: format as TraceFormat | undefined,
      accesses: integer('accesses', values.accesses, 100_000, 1, 100_000_000),
      vcpus: integer('vcpus', values.vcpus, 4, 1, 128),
      seed: integer('seed', values.seed, 1, 0, 0xffff_ffff),
    };
    const compress = values.compress;
    if (compress !== undefined && !COMPRESSION.includes(compress as (typeof COMPRESSION)[number])) {
      throw new UsageError(`--compress ${JSON.stringify(compress)}: expected ${COMPRESSION.join(' or ')}`, COMMAND);
    }
    if (values.reuse === true && values.overwrite === true) throw new UsageError('--reuse and --overwrite exclude each other', COMMAND);
    const report = typeof values.report === 'string' ? userPath(values.report) : undefined;
    // Everything the run will write is checked before any work starts.
    if (report !== undefined) requireParentDirectory('report', report, COMMAND);
    if (store.path !== undefined) requireParentDirectory('path', store.path, COMMAND);
    const policy = await policyChoice(typeof values.policy === 'string' ? values.policy : 'xenpaging', COMMAND);
    const existing: ExistingStore = values.reuse === true ? 'reuse' : values.overwrite === true ? 'overwrite' : 'refuse';
    await asUsage(claimStore(store, options.pages, existing, COMMAND));

    // Without --path the pagefile or database lives in a temporary directory removed after the run
    // (xenpaging also unlinked its pagefile on exit), or at once if a second Ctrl-C ends the process.
    const temporary = (store.kind === 'pagefile' || store.kind === 'sqlite') && store.path === undefined ? mkdtempSync(join(tmpdir(), 'pagevisor-run-')) : undefined;
    const choice: StoreChoice = temporary === undefined ? store : { ...store, path: join(temporary, store.kind === 'pagefile' ? 'guest.pagefile' : 'guest.sqlite') };
    const removeTemporary = (): void => {
      if (temporary !== undefined) rmSync(temporary, { recursive: true, force: true });
    };
    const forgetForcedExit = interrupt.onForcedExit(() => {
      removeTemporary();
      if (temporary !== undefined) return `nothing: the temporary store ${choice.path} was removed`;
      return `the pages still out stay in ${choice.kind === 'redis' ? `redis prefix ${choice.prefix}` : choice.path}, and the simulated guest ends with the process`;
    });
    const samples: RunSample[] = [];
    let result: SimulationReport;
    try {
      result = await asUsage(
        runSimulation(
          { ...options, policy: policy.name, store: `${choice.kind}${compress ? `+${compress}` : ''}` },
          policy.plugin,
          chosenStorePlugin(choice, compress as (typeof COMPRESSION)[number] | undefined),
          { onProgress: progressReporter(io), onSample: (sample) => samples.push(sample), signal: interrupt.signal },
        ),
      );
    } finally {
      forgetForcedExit();
      removeTemporary();
    }
    const allowAbove = values['allow-above-target'] === true;
    if (report !== undefined) writeFileSync(report, runReportHtml(result, samples, allowAbove));
    if (values.json === true) io.out(JSON.stringify(result) + '\n');
    else printSummary(result, allowAbove, io);
    if (report !== undefined) io.err(`pagevisor run: wrote the report to ${report}\n`);
    return runFailures(result, allowAbove).length === 0 ? 0 : 1;
  },
};

/** `run --interleave SEED`: the flags that apply to a harness run; the others are refused, not ignored. */
async function interleaved(values: Record<string, string | boolean | undefined>, abi: string, io: CliIo): Promise<number> {
  for (const flag of ['seed', 'target', 'store', 'path', 'url', 'prefix', 'compress', 'workload', 'format', 'report', 'reuse', 'overwrite', 'fsync', 'allow-above-target']) {
    if (values[flag] !== undefined) throw new UsageError(`--${flag} does not apply to --interleave (a harness run on the memory store)`, COMMAND);
  }
  return runInterleavedChoice(
    {
      abi,
      seed: integer('interleave', values.interleave, 1, 0, 0xffff_ffff),
      policy: await policyChoice(typeof values.policy === 'string' ? values.policy : 'xenpaging', COMMAND),
      pages: integer('pages', values.pages, 1024, 1024, 1 << 20),
      vcpus: integer('vcpus', values.vcpus, 4, 1, 64),
      steps: integer('accesses', values.accesses, 1500, 1, 10_000_000),
      scheduleFile: typeof values.schedule === 'string' ? userPath(values.schedule) : undefined,
      shrink: values.shrink === true,
      xenBugs: values['xen-bugs'] === true,
      json: values.json === true,
    },
    io,
    COMMAND,
  );
}

/** Bad input found once the run starts (a bad --target, trace file or store) is exit 2 with its one-line message. */
async function asUsage<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (error) {
    for (const code of ['CONFIG', 'TRACE_FORMAT', 'STORE_FORMAT', 'STORE_IO'] as const) if (isPagevisorError(error, code)) throw new UsageError(error.message, COMMAND);
    throw error;
  }
}

function printSummary(r: SimulationReport, allowAbove: boolean, io: CliIo): void {
  const rows = summaryRows(r);
  const width = Math.max(...rows.map(([k]) => k.length));
  io.out(rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join('\n') + `\n${verdictLine(r, allowAbove)}\n`);
}
