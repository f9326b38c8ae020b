import { availableParallelism } from 'node:os';
import { isSimulatablePolicy, SIMULATABLE_POLICIES, simulateCells, type SimulationResult } from '@pagevisor/policies';
import { denseIds, readTrace, TRACE_FORMATS, type TraceFormat } from '@pagevisor/testing';
import type { CommandArgs } from '../command.js';
import { guessTraceFormat } from '../trace-format.js';
import { UsageError } from '../usage-error.js';

/** A trace read for simulation: dense page ids. */
export interface LoadedTrace {
  /** The file's name. */
  readonly name: string;
  /** Page ids in request order, renumbered `[0, distinct)`. */
  readonly ids: Uint32Array;
  /** Distinct pages. */
  readonly distinct: number;
  /** Malformed records skipped (`--skip-bad`). */
  readonly skipped: number;
}

/** Reads `--trace`, `--format` and `--skip-bad` (gzip is found by its magic bytes). */
export function loadTrace(values: CommandArgs['values'], command: string): LoadedTrace {
  const file = values['trace'];
  if (typeof file !== 'string') throw new UsageError('--trace FILE is required', command);
  const format = typeof values['format'] === 'string' ? values['format'] : guessTraceFormat(file);
  if (!TRACE_FORMATS.includes(format as TraceFormat)) throw new UsageError(`--format ${JSON.stringify(format)}: expected ${TRACE_FORMATS.join(', ')}`, command);
  const trace = readTrace(file, { format: format as TraceFormat, skipBad: values['skip-bad'] === true });
  const { ids, distinct } = denseIds(trace.ids);
  return { name: trace.name, ids, distinct, skipped: trace.skipped };
}

/** The `--policy`/`--policies` list, each a policy trace simulation can run; `all` is every one of them. */
export function policyList(value: string | boolean | undefined, fallback: readonly string[], flag: string, command: string): string[] {
  if (value === 'all') return [...SIMULATABLE_POLICIES];
  const names = typeof value === 'string' ? value.split(',').map((name) => name.trim()) : [...fallback];
  for (const name of names) {
    if (!isSimulatablePolicy(name)) {
      throw new UsageError(`--${flag}: no policy "${name}" for trace simulation (${SIMULATABLE_POLICIES.join(', ')}, clockN)`, command);
    }
  }
  return names;
}

/** The `--size`/`--sizes` list: pages (`1000`) or a share of the trace's distinct pages (`10%`). */
export function sizeList(value: string | boolean | undefined, fallback: readonly string[], distinct: number, flag: string, command: string): number[] {
  const items = typeof value === 'string' ? value.split(',').map((item) => item.trim()) : [...fallback];
  return items.map((item) => {
    if (/^\d+$/.test(item)) return Number(item);
    const percent = /^(\d+(?:\.\d+)?)%$/.exec(item);
    if (percent && Number(percent[1]) <= 100) return Math.floor((Number(percent[1]) / 100) * distinct);
    throw new UsageError(`--${flag} ${JSON.stringify(item)}: expected a number of pages or a percentage of the trace's pages`, command);
  });
}

/**
 * Simulates every policy at every size (policy by policy) on `--threads` worker threads over one shared
 * copy of the trace; `onResult` hears each cell as it finishes, with its index in that order. After an
 * interrupt, the cells that finished.
 */
export function simulateAll(trace: LoadedTrace, policies: readonly string[], sizes: readonly number[], threads: number, signal: AbortSignal, onResult: (result: SimulationResult, index: number, done: number) => void): Promise<SimulationResult[]> {
  const cells = policies.flatMap((policy) => sizes.map((size) => ({ policy, size })));
  return simulateCells(trace.ids, trace.distinct, cells, { threads, signal, onResult });
}

/** The `--threads` flag: worker threads for the cells, by default one per core. */
export function threadCount(value: string | boolean | undefined, command: string): number {
  if (value === undefined) return availableParallelism();
  if (typeof value !== 'string' || !/^[1-9]\d{0,3}$/.test(value)) throw new UsageError(`--threads ${JSON.stringify(value)}: expected a whole number of threads, 1 or more`, command);
  return Number(value);
}

/** The `--threads` line of a help text. */
export const THREADS_HELP = `  --threads N       worker threads running the cells over one shared copy of
                    the trace (default ${availableParallelism()}, this machine's cores; 1: none)`;

/** The policies trace simulation can run, for a help text: wrapped at `width` columns after the first line, indented by `indent`. */
export function simulatablePolicyHelp(indent: number, width = 56): string {
  const lines: string[] = [];
  let line = '';
  for (const name of [...SIMULATABLE_POLICIES, 'clockN (N-bit counter)']) {
    const next = line === '' ? name : `${line}, ${name}`;
    if (next.length > width && line !== '') {
      lines.push(`${line},`);
      line = name;
    } else line = next;
  }
  lines.push(line);
  return lines.join(`\n${' '.repeat(indent)}`);
}
