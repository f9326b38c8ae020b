import { writeFileSync } from 'node:fs';
import { TRACE_FORMATS } from '@pagevisor/testing';
import { SIMULATABLE_POLICIES, type SimulationResult } from '@pagevisor/policies';
import type { Command } from '../command.js';
import { missRatioSvg } from '../report/miss-ratio-svg.js';
import { progressReporter } from '../run/progress.js';
import { loadTrace, policyList, simulatablePolicyHelp, simulateAll, sizeList, threadCount, THREADS_HELP } from '../simulate/trace-runs.js';

const COMMAND = 'bench';
/** Curves the SVG shows when no --policies is given: the five best, and Belady. */
const BEST_SHOWN = 5;
const DEFAULT_SIZES = ['1%', '2%', '5%', '10%', '20%', '50%'];

/** `pagevisor bench`: policies × sizes on a trace, as a table, a CSV and a miss-ratio curve. */
export const benchCommand: Command = {
  path: ['bench'],
  summary: 'compare policies on a trace: a miss-ratio table, CSV and an SVG curve with Belady as the floor',
  help: `Usage: pagevisor bench --trace FILE [--format F] [--policies LIST] [--sizes LIST] [--csv F] [--svg F] [--threads N] [--json]

Simulates every policy at every cache size on the trace (see pagevisor
simulate), prints a table of miss ratios (policies by size), and writes the
results as CSV and as an SVG miss-ratio curve on which Belady, the offline
optimum, is the dashed floor. Progress goes to stderr: a bar on a terminal,
a line every 10% otherwise.

Options:
  --trace FILE      the trace
  --format F        ${TRACE_FORMATS.join(' | ')} (guessed from the name)
  --policies LIST   policies, comma-separated, or all; by default every one:
                    ${simulatablePolicyHelp(20)};
                    the table lists them all, and the SVG the ${BEST_SHOWN} best (lowest
                    mean miss ratio over the sizes) and Belady, unless
                    --policies says which (all: every curve)
  --sizes LIST      pages or percentages of the trace's pages
                    (default ${DEFAULT_SIZES.join(',')})
  --csv F           write policy,size,requests,misses,missRatio,seconds rows
  --svg F           write the miss-ratio curves
${THREADS_HELP}
  --skip-bad        count and skip malformed records
  --json            one JSON line per cell instead of the table
  --help            show this help

Examples:
  pagevisor bench --trace lirs-sprite.trace.gz --format lirs --svg sprite.svg
  pagevisor bench --trace cloudPhysicsIO.vscsi --sizes 500,1000,5000,10000 --csv cp.csv
`,
  options: {
    trace: { type: 'string' },
    format: { type: 'string' },
    policies: { type: 'string' },
    sizes: { type: 'string' },
    csv: { type: 'string' },
    svg: { type: 'string' },
    threads: { type: 'string' },
    'skip-bad': { type: 'boolean' },
    json: { type: 'boolean' },
  },
  positionals: false,
  async run({ values }, io, interrupt) {
    const policies = policyList(values['policies'], SIMULATABLE_POLICIES, 'policies', COMMAND);
    const trace = loadTrace(values, COMMAND);
    const sizes = [...new Set(sizeList(values['sizes'], DEFAULT_SIZES, trace.distinct, 'sizes', COMMAND))].sort((a, b) => a - b);
    const progress = progressReporter(io);
    const total = policies.length * sizes.length;
    const threads = threadCount(values['threads'], COMMAND);
    const results = await simulateAll(trace, policies, sizes, threads, interrupt.signal, (r, _, done) => progress('simulate', done, total, `${done}/${total} runs (${r.policy}, ${r.size} pages)`));
    if (interrupt.requested !== undefined) io.err(`pagevisor bench: interrupted by ${interrupt.requested} after ${results.length} of ${total} runs; what ran is reported\n`);
    if (values['json'] === true) {
      for (const r of results) io.out(`${JSON.stringify({ trace: trace.name, ...r, seconds: +r.seconds.toFixed(4) })}\n`);
    } else {
      io.out(table(trace.name, trace.ids.length, trace.distinct, policies, sizes, results));
    }
    if (typeof values['csv'] === 'string') {
      const rows = results.map((r) => `${r.policy},${r.size},${r.requests},${r.misses},${r.missRatio.toFixed(6)},${r.seconds.toFixed(4)}`);
      writeFileSync(values['csv'], ['policy,size,requests,misses,missRatio,seconds', ...rows].join('\n') + '\n');
    }
    if (typeof values['svg'] === 'string') {
      const shown = values['policies'] === undefined ? bestPolicies(policies, results, BEST_SHOWN) : policies;
      const curves = shown.map((policy) => ({ policy, points: results.filter((r) => r.policy === policy).map((r) => [r.size, r.missRatio] as const) }));
      writeFileSync(values['svg'], missRatioSvg(`Miss ratio on ${trace.name} (${trace.ids.length} requests, ${trace.distinct} pages)`, curves));
    }
    return 0;
  },
};

/** The `count` policies of lowest mean miss ratio over the sizes (Belady aside), best first, then Belady if it ran. */
function bestPolicies(policies: readonly string[], results: readonly SimulationResult[], count: number): string[] {
  const mean = new Map<string, number>();
  for (const policy of policies) {
    const mine = results.filter((r) => r.policy === policy);
    mean.set(policy, mine.length === 0 ? Number.POSITIVE_INFINITY : mine.reduce((sum, r) => sum + r.missRatio, 0) / mine.length);
  }
  const ranked = policies.filter((policy) => policy !== 'belady').sort((a, b) => mean.get(a)! - mean.get(b)!);
  return [...ranked.slice(0, count), ...(policies.includes('belady') ? ['belady'] : [])];
}

function table(name: string, requests: number, distinct: number, policies: string[], sizes: number[], results: SimulationResult[]): string {
  const head = ['policy', ...sizes.map(String)];
  const cell = (policy: string, size: number) => results.find((r) => r.policy === policy && r.size === size);
  const rows = policies.map((policy) => [policy, ...sizes.map((size) => (cell(policy, size) ? `${(cell(policy, size)!.missRatio * 100).toFixed(2)}%` : '-'))]);
  const widths = head.map((_, i) => Math.max(head[i]!.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) => cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ');
  return `${name}: ${requests} requests, ${distinct} pages; miss ratio by cache size (pages)\n${line(head)}\n${rows.map(line).join('\n')}\n`;
}
