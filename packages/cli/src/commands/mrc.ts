import { writeFileSync } from 'node:fs';
import { lruMissRatioCurve, shardsMissRatioCurve } from '@pagevisor/policies';
import { TRACE_FORMATS } from '@pagevisor/testing';
import type { Command } from '../command.js';
import { lineChartSvg } from '../report/line-chart-svg.js';
import { missRatioTop } from '../report/miss-ratio-svg.js';
import { loadTrace, sizeList } from '../simulate/trace-runs.js';
import { UsageError } from '../usage-error.js';

const COMMAND = 'mrc';
const DEFAULT_SIZES = Array.from({ length: 20 }, (_, i) => `${(i + 1) * 5}%`);

/** `pagevisor mrc`: LRU's miss-ratio curve of a whole trace in one pass, exact and sampled (SHARDS). */
export const mrcCommand: Command = {
  path: ['mrc'],
  summary: "LRU's miss-ratio curve of a trace in one pass: exact (stack distances) and sampled (SHARDS), with the sample's error",
  help: `Usage: pagevisor mrc --trace FILE [--format F] [--sizes LIST] [--sample RATE] [--seed N] [--csv F] [--svg F] [--json]

Computes LRU's miss ratio at every cache size from one pass over the trace:
exactly, from Mattson's stack distances, and estimated from a sample of the
pages (SHARDS, fixed rate, with its adjustment), which spends a fraction of
the exact curve's time on stack distances. Prints both at the sizes asked for,
the sample's error against the exact curve (largest and mean absolute
difference of miss ratio over those sizes), and writes them as CSV and SVG.

Options:
  --trace FILE      the trace
  --format F        ${TRACE_FORMATS.join(' | ')} (guessed from the name)
  --sizes LIST      pages or percentages of the trace's pages
                    (default 5%, 10%, ... 100%)
  --sample RATE     the share of pages SHARDS samples, above 0 and at most 1
                    (default 0.01)
  --seed N          picks SHARDS's sample (default 1)
  --csv F           write size,exact,shards,error rows
  --svg F           write both curves
  --skip-bad        count and skip malformed records
  --json            one JSON object instead of the table
  --help            show this help

Examples:
  pagevisor mrc --trace cloudPhysicsIO.vscsi --sample 0.1 --svg cp-mrc.svg
  pagevisor mrc --trace lirs-sprite.trace.gz --sizes 70,354,708,1769 --json
`,
  options: {
    trace: { type: 'string' },
    format: { type: 'string' },
    sizes: { type: 'string' },
    sample: { type: 'string' },
    seed: { type: 'string' },
    csv: { type: 'string' },
    svg: { type: 'string' },
    'skip-bad': { type: 'boolean' },
    json: { type: 'boolean' },
  },
  positionals: false,
  run({ values }, io) {
    const rate = sampleRate(values['sample']);
    const seed = values['seed'] === undefined ? 1 : Number(values['seed']);
    if (!Number.isInteger(seed) || seed < 0 || seed > 0xffff_ffff) throw new UsageError(`--seed ${JSON.stringify(values['seed'])}: expected a whole number from 0 to 4294967295`, COMMAND);
    const trace = loadTrace(values, COMMAND);
    const sizes = [...new Set(sizeList(values['sizes'], DEFAULT_SIZES, trace.distinct, 'sizes', COMMAND))].sort((a, b) => a - b);
    let started = performance.now();
    const exact = lruMissRatioCurve(trace.ids, trace.distinct);
    const exactSeconds = (performance.now() - started) / 1000;
    started = performance.now();
    const sampled = shardsMissRatioCurve(trace.ids, trace.distinct, rate, seed);
    const sampledSeconds = (performance.now() - started) / 1000;
    const rows = sizes.map((size) => {
      const e = exact.missRatio(size);
      const s = sampled.missRatio(size);
      return { size, exact: e, shards: s, error: Math.abs(s - e) };
    });
    const maxError = Math.max(0, ...rows.map((r) => r.error));
    const meanError = rows.length === 0 ? 0 : rows.reduce((sum, r) => sum + r.error, 0) / rows.length;
    if (values['json'] === true) {
      io.out(`${JSON.stringify({ trace: trace.name, requests: trace.ids.length, pages: trace.distinct, sample: rate, seed, exactSeconds: +exactSeconds.toFixed(4), shardsSeconds: +sampledSeconds.toFixed(4), maxError: +maxError.toFixed(6), meanError: +meanError.toFixed(6), sizes: rows.map((r) => ({ size: r.size, exact: +r.exact.toFixed(6), shards: +r.shards.toFixed(6) })) })}\n`);
    } else {
      io.out(`${trace.name}: ${trace.ids.length} requests, ${trace.distinct} pages; LRU's miss ratio by cache size (pages)\n`);
      const percent = (x: number) => `${(x * 100).toFixed(2)}%`;
      const table = [['size', 'exact', `shards ${rate}`, 'error'], ...rows.map((r) => [String(r.size), percent(r.exact), percent(r.shards), r.error.toFixed(4)])];
      const widths = table[0]!.map((_, i) => Math.max(...table.map((row) => row[i]!.length)));
      for (const row of table) io.out(`${row.map((cell, i) => cell.padStart(widths[i]!)).join('  ')}\n`);
      io.out(`exact curve: ${exactSeconds.toFixed(3)} s; SHARDS at ${rate} of the pages: ${sampledSeconds.toFixed(3)} s, error largest ${maxError.toFixed(4)}, mean ${meanError.toFixed(4)} (absolute miss ratio)\n`);
    }
    if (typeof values['csv'] === 'string') {
      writeFileSync(values['csv'], ['size,exact,shards,error', ...rows.map((r) => `${r.size},${r.exact.toFixed(6)},${r.shards.toFixed(6)},${r.error.toFixed(6)}`)].join('\n') + '\n');
    }
    if (typeof values['svg'] === 'string') {
      const svg = lineChartSvg(
        [
          { id: 'exact', label: 'LRU, exact', points: rows.map((r) => [r.size, r.exact] as const), colour: '#000', marker: 'circle' },
          { id: 'shards', label: `SHARDS, ${rate} of pages`, points: rows.map((r) => [r.size, r.shards] as const), dashed: true, marker: 'square' },
        ],
        { title: `LRU miss-ratio curve of ${trace.name} (${trace.ids.length} requests, ${trace.distinct} pages)`, xLabel: 'cache size (pages)', yLabel: 'miss ratio', yMax: missRatioTop(rows.flatMap((r) => [r.exact, r.shards])), yPercent: true, logXWhenWide: true },
      );
      writeFileSync(values['svg'], svg);
    }
    return 0;
  },
};

/** `--sample RATE`: the share of pages SHARDS samples. */
function sampleRate(value: string | boolean | undefined): number {
  if (value === undefined) return 0.01;
  const rate = Number(value);
  if (typeof value !== 'string' || value.trim() === '' || !(rate > 0 && rate <= 1)) throw new UsageError(`--sample ${JSON.stringify(value)}: expected a share of the pages above 0 and at most 1 (0.01)`, COMMAND);
  return rate;
}
