import { createPolicy, isSimulatablePolicy, SIMULATABLE_POLICIES, simulateTrace, type SimulationResult } from '@pagevisor/policies';
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

/** Simulates one (policy, size) cell. */
export function simulateCell(trace: LoadedTrace, policy: string, size: number): SimulationResult {
  return simulateTrace(trace.ids, trace.distinct, (context) => createPolicy(policy, context), size, policy === 'belady');
}

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
