import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDefaultAbiRegistry, isPagevisorError } from '@pagevisor/core';
import { TRACE_FORMATS, type TraceFormat } from '@pagevisor/testing';
import type { Command } from '../command.js';
import type { CliIo } from '../cli-io.js';
import { UsageError } from '../usage-error.js';
import { policyNamed, runSimulation, type RunSample, type SimulationReport } from '../run/simulation.js';
import { runReportHtml } from '../report/run-report.js';
import { summaryRows } from '../run/summary-rows.js';
import { progressReporter } from '../run/progress.js';
import { integerFlag } from '../flags.js';
import { chosenStorePlugin, STORE_FLAGS, storeChoice } from '../store/store-choice.js';

const COMMAND = 'run';
const COMPRESSION = ['deflate', 'brotli'] as const;

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
Progress goes to stderr (a bar on a terminal, a line every 10% otherwise); the
summary to stdout.

Options:
  --abi ID          paging ABI of the simulated Xen (default vm_event/v7)
  --pages N         guest size in pages, 4 KiB each (default 65536 = 256 MiB)
  --target T        memory target: pages, 42K/42M/42G, or 42% (default 50%)
  --policy NAME     victim policy (default xenpaging)
  --store NAME      page store: file | sqlite | memory | redis (default file;
                    file and sqlite go to a new temp dir unless --path is given)
  --path P          the pagefile (file) or database (sqlite)
  --url U           redis://host:port or redis+cluster://host:port,host:port
                    (--store redis; keys under --prefix, default pagevisor)
  --compress C      compress pages in the store: deflate | brotli
  --workload W      zipf | loop | scan | mix | a trace file (default zipf)
  --format F        trace format: ${TRACE_FORMATS.join(' | ')} (guessed from the name)
  --accesses N      operations of generated workloads (default 100000)
  --vcpus N         guest vcpus (default 4)
  --seed S          seed of the guest and the workload (default 1)
  --json            print the report as one JSON object on the last line
  --report FILE     write an HTML report: resident pages against the target,
                    faults and evictions over time, the integrity result
  --help            show this help

Exit codes: 0 ok, 1 integrity or invariant check failed, 2 bad usage.

Examples:
  pagevisor run
  pagevisor run --abi mem_event/age1 --pages 16384 --target 25% --workload mix --json
  pagevisor run --workload traces/lirs-sprite.trace.gz --format lirs --target 4M
  pagevisor run --store redis --url redis://127.0.0.1:6379 --compress deflate
  pagevisor run --report run.html
`,
  options: {
    abi: { type: 'string' },
    pages: { type: 'string' },
    target: { type: 'string' },
    policy: { type: 'string' },
    ...STORE_FLAGS,
    compress: { type: 'string' },
    workload: { type: 'string' },
    format: { type: 'string' },
    accesses: { type: 'string' },
    vcpus: { type: 'string' },
    seed: { type: 'string' },
    json: { type: 'boolean' },
    report: { type: 'string' },
  },
  positionals: false,
  async run({ values }, io) {
    const abi = typeof values.abi === 'string' ? values.abi : 'vm_event/v7';
    if (!createDefaultAbiRegistry().has(abi)) throw new UsageError(`--abi: unknown paging ABI "${abi}" (see pagevisor abi list)`, COMMAND);
    const format = values.format;
    if (format !== undefined && !TRACE_FORMATS.includes(format as TraceFormat)) {
      throw new UsageError(`--format ${JSON.stringify(format)}: expected ${TRACE_FORMATS.join(', ')}`, COMMAND);
    }
    const options = {
      abi,
      pages: integer('pages', values.pages, 65536, 1024, 1 << 24),
      target: typeof values.target === 'string' ? values.target : '50%',
      policy: typeof values.policy === 'string' ? values.policy : 'xenpaging',
      store: storeChoice(values, COMMAND, 'file', 'pagevisor'),
      workload: typeof values.workload === 'string' ? values.workload : 'zipf',
      format: format as TraceFormat | undefined,
      accesses: integer('accesses', values.accesses, 100_000, 1, 100_000_000),
      vcpus: integer('vcpus', values.vcpus, 4, 1, 128),
      seed: integer('seed', values.seed, 1, 0, 0xffff_ffff),
    };
    const policy = policyNamed(options.policy);
    if (typeof policy === 'string') throw new UsageError(policy, COMMAND);
    const compress = values.compress;
    if (compress !== undefined && !COMPRESSION.includes(compress as (typeof COMPRESSION)[number])) {
      throw new UsageError(`--compress ${JSON.stringify(compress)}: expected ${COMPRESSION.join(' or ')}`, COMMAND);
    }
    // Without --path the pagefile or database lives in a temporary directory removed after the run
    // (xenpaging also unlinked its pagefile on exit).
    const onDisk = options.store.kind === 'file' || options.store.kind === 'sqlite';
    const temporary = onDisk && options.store.path === undefined ? mkdtempSync(join(tmpdir(), 'pagevisor-run-')) : undefined;
    const choice = temporary === undefined ? options.store : { ...options.store, path: join(temporary, options.store.kind === 'file' ? 'guest.pagefile' : 'guest.sqlite') };
    const store = chosenStorePlugin(choice, compress as (typeof COMPRESSION)[number] | undefined);
    let report: SimulationReport;
    const samples: RunSample[] = [];
    try {
      report = await runSimulation({ ...options, store: `${choice.kind}${compress ? `+${compress}` : ''}` }, policy, store, progressReporter(io), (sample) => samples.push(sample));
    } catch (error) {
      if (temporary !== undefined) rmSync(temporary, { recursive: true, force: true });
      // A bad --target or trace file is bad input: exit 2 with its one-line message.
      if (isPagevisorError(error, 'CONFIG') || isPagevisorError(error, 'TRACE_FORMAT') || isPagevisorError(error, 'STORE_FORMAT') || isPagevisorError(error, 'STORE_IO')) {
        throw new UsageError(error.message, COMMAND);
      }
      throw error;
    }
    if (temporary !== undefined) rmSync(temporary, { recursive: true, force: true });
    if (typeof values.report === 'string') writeFileSync(values.report, runReportHtml(report, samples));
    if (values.json === true) io.out(JSON.stringify(report) + '\n');
    else printSummary(report, io);
    return report.integrity.mismatches === 0 && report.invariantViolations === 0 && !report.stalled ? 0 : 1;
  },
};

function printSummary(r: SimulationReport, io: CliIo): void {
  const rows = summaryRows(r);
  const width = Math.max(...rows.map(([k]) => k.length));
  io.out(rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join('\n') + '\n');
}
