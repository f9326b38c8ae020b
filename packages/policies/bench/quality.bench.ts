/**
 * Benchmark: how close each policy comes to Belady, the offline optimum, on the reference traces and
 * on generated zipf traces. Writes `bench-results/policy-quality.json`, then the policies guide's table
 * from it (`bench/policy-table.ts`).
 *
 * Cells: every (trace, size) of the reference tables with a `belady` row and a size of at least 20 (the
 * six reference traces, four sizes each), and two zipf traces generated here (not in the reference
 * set: 1 M requests over 100 000 pages, alpha 0.8 and 1.0, seed 11) at 1% and 10% of their pages, whose
 * Belady misses come from `belady` (exact against libCacheSim on the reference tables). For each
 * policy: its misses over Belady's in every cell, and their geometric mean over all cells and by kind
 * of trace.
 *
 * Run: `pnpm bench` (all packages) or `pnpm --filter @pagevisor/policies bench`.
 */
import { fileURLToPath } from 'node:url';
import { createPolicy, SIMULATABLE_POLICIES, simulateTrace } from '@pagevisor/policies';
import { denseIds, zipfWorkload } from '@pagevisor/testing';
import { writeBenchResults } from '../../../bench/bench-results.js';
import { referenceRows, referenceTrace } from '../test/support/reference.js';
import { KINDS, writePolicyTable } from './policy-table.js';

interface Cell {
  readonly trace: string;
  readonly kind: (typeof KINDS)[number];
  readonly size: number;
  readonly belady: number;
  readonly load: () => { ids: Uint32Array; distinct: number };
}

const kindOf = (trace: string): Cell['kind'] => (trace.startsWith('lirs-') ? 'lirs traces' : trace.startsWith('addr-') ? 'address traces' : 'block I/O');

const cells: Cell[] = referenceRows()
  .filter((row) => row.policy === 'belady' && row.size >= 20)
  .map((row) => ({ trace: row.trace, kind: kindOf(row.trace), size: row.size, belady: row.misses, load: () => referenceTrace(row.trace) }));
for (const alpha of [0.8, 1.0]) {
  const trace = denseIds(Float64Array.from(zipfWorkload({ pages: 100_000, accesses: 1_000_000, seed: 11, alpha }).targets));
  for (const share of [0.01, 0.1]) {
    const size = Math.floor(trace.distinct * share);
    const belady = simulateTrace(trace.ids, trace.distinct, (ctx) => createPolicy('belady', ctx), size, true).misses;
    cells.push({ trace: `zipf-${alpha}`, kind: 'zipf', size, belady, load: () => trace });
  }
}

const geomean = (values: readonly number[]) => Math.exp(values.reduce((sum, v) => sum + Math.log(v), 0) / values.length);
const byPolicy: Record<string, Record<string, unknown>> = {};
for (const policy of SIMULATABLE_POLICIES.filter((name) => name !== 'belady')) {
  const ratios = cells.map((cell) => {
    const { ids, distinct } = cell.load();
    return simulateTrace(ids, distinct, (ctx) => createPolicy(policy, ctx), cell.size).misses / cell.belady;
  });
  const summary: Record<string, unknown> = { all: +geomean(ratios).toFixed(4) };
  for (const kind of KINDS) summary[kind] = +geomean(ratios.filter((_, i) => cells[i]!.kind === kind)).toFixed(4);
  summary['cells'] = Object.fromEntries(cells.map((cell, i) => [`${cell.trace} ${cell.size}`, +ratios[i]!.toFixed(4)]));
  byPolicy[policy] = summary;
  console.log(`${policy}: ${summary['all']} (${KINDS.map((kind) => `${kind} ${summary[kind]}`).join(', ')})`);
}
const oracle = cells.map((_, i) => Math.min(...Object.values(byPolicy).map((p) => (p['cells'] as Record<string, number>)[`${cells[i]!.trace} ${cells[i]!.size}`]!)));
const path = writeBenchResults('policy-quality', {
  method: 'misses over Belady\'s per cell, geometric means over all cells and by kind; cells: every reference (trace, size) with size >= 20 and two generated zipf traces (1 M requests, 100 000 pages, alpha 0.8 and 1.0, seed 11) at 1% and 10% of their pages',
  cells: cells.map((cell) => ({ trace: cell.trace, kind: cell.kind, size: cell.size, beladyMisses: cell.belady })),
  bestPerCell: { all: +geomean(oracle).toFixed(4), ...Object.fromEntries(KINDS.map((kind) => [kind, +geomean(oracle.filter((_, i) => cells[i]!.kind === kind)).toFixed(4)])) },
  policies: byPolicy,
});
console.log(`wrote ${path}`);
console.log(`wrote ${writePolicyTable(fileURLToPath(new URL('../../../bench-results/policy-quality.json', import.meta.url)), fileURLToPath(new URL('../../../docs/guides/policies.md', import.meta.url)))}`);
