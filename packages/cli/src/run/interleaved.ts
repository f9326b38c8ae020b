import { existsSync, readFileSync } from 'node:fs';
import type { PagevisorPlugin } from '@pagevisor/core';
import { memoryStore } from '@pagevisor/storage';
import { formatSchedule, parseSchedule, runInterleaved, shrinkInterleaved, type InterleaveOptions, type InterleaveResult } from '@pagevisor/testing';
import type { CliIo } from '../cli-io.js';
import { UsageError } from '../usage-error.js';

/**
 * What `pagevisor run --interleave SEED` runs.
 */
export interface InterleavedRunChoice {
  readonly abi: string;
  readonly seed: number;
  readonly policy: { readonly name: string; readonly plugin: PagevisorPlugin };
  readonly pages: number;
  readonly vcpus: number;
  readonly steps: number;
  /** A schedule file to replay instead of the seed's (as `--shrink` prints it), resolved already. */
  readonly scheduleFile: string | undefined;
  readonly shrink: boolean;
  /** The simulator keeps Xen's own bugs (`SimHypervisor`'s `xenBugs`). */
  readonly xenBugs: boolean;
  readonly json: boolean;
}

/**
 * `pagevisor run --interleave SEED`: one run of the interleaving harness (guest and backends acting
 * inside the pager's batches) on the memory store. Exit 1 when it finds a problem, naming the seed,
 * the gfn, its p2m state and the blocked vcpu; `--shrink` then looks for the shortest failing schedule.
 */
export async function runInterleavedChoice(choice: InterleavedRunChoice, io: CliIo, command: string): Promise<number> {
  const options: InterleaveOptions = {
    abi: choice.abi,
    seed: choice.seed,
    policy: choice.policy.plugin,
    store: memoryStore(),
    pages: choice.pages,
    vcpus: choice.vcpus,
    steps: choice.steps,
    xenBugs: choice.xenBugs,
    ...(choice.scheduleFile === undefined ? {} : { schedule: readScheduleFile(choice.scheduleFile, command) }),
  };
  const result = await runInterleaved(options);
  const shrunk = !result.ok && choice.shrink ? await shrinkInterleaved(options) : undefined;
  if (choice.json) {
    io.out(JSON.stringify({ ...summaryOf(result), ...(shrunk === undefined ? {} : { shrunk: { problem: shrunk.problems[0], schedule: formatSchedule(shrunk.schedule) } }) }) + '\n');
  } else {
    printResult(result, choice, shrunk, io);
  }
  return result.ok ? 0 : 1;
}

function readScheduleFile(file: string, command: string): InterleaveOptions['schedule'] {
  if (!existsSync(file)) throw new UsageError(`--schedule ${file}: no such file`, command);
  try {
    return parseSchedule(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new UsageError(`--schedule ${file}: ${error instanceof Error ? error.message : String(error)}`, command);
  }
}

function summaryOf(r: InterleaveResult): Record<string, unknown> {
  return { seed: r.seed, abi: r.abi, ok: r.ok, problems: r.problems, points: r.points, actionsRun: r.actionsRun, actions: r.schedule.length, digest: r.digest };
}

function printResult(r: InterleaveResult, choice: InterleavedRunChoice, shrunk: InterleaveResult | undefined, io: CliIo): void {
  const lines = [
    `interleaved run: seed ${r.seed} on ${r.abi}${choice.xenBugs ? ' with Xen\'s own bugs' : ''}, policy ${choice.policy.name}, ${choice.pages} gfns, ${choice.vcpus} vcpus, ${choice.steps} guest steps`,
    `points            ${r.points} (calls the pager made into the hypervisor and its store, and guest steps)`,
    `schedule actions  ${r.actionsRun} run (${r.schedule.length} scheduled)`,
    `digest            ${r.digest.toString(16).padStart(8, '0')} (the same for every run of this seed)`,
  ];
  for (const p of r.problems) {
    const where = p.gfn === undefined ? '' : ` [gfn 0x${p.gfn.toString(16)}, p2m ${p.p2m}${p.vcpu === undefined ? '' : `, vcpu ${p.vcpu}`}]`;
    lines.push(`${p.kind.padEnd(17)} ${p.message}${where}`);
  }
  if (shrunk !== undefined) {
    lines.push(`shrunk            ${shrunk.schedule.length} actions still fail (${shrunk.problems[0]!.kind}); save them to a file and replay with --schedule FILE:`);
    lines.push(formatSchedule(shrunk.schedule));
  }
  lines.push(
    r.ok
      ? 'ok: no vcpu left waiting, no fault loop, every page intact, invariants clean'
      : `FAILED: ${r.problems[0]!.kind} (seed ${r.seed}); replay: pagevisor run --interleave ${r.seed} --abi ${r.abi}${choice.xenBugs ? ' --xen-bugs' : ''}${choice.shrink ? '' : ' --shrink'}`,
  );
  io.out(lines.join('\n') + '\n');
}
