/**
 * Writes the policies guide's table of misses over Belady's from `bench-results/policy-quality.json`:
 * the part of the guide between `<!-- policy-quality:start -->` and `<!-- policy-quality:end -->`.
 * Run by `bench/quality.bench.ts` after each measurement; by hand: `tsx bench/policy-table.ts`.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const START = '<!-- policy-quality:start -->';
const END = '<!-- policy-quality:end -->';
/** The kinds of trace the table has a column for, in its order. */
export const KINDS = ['lirs traces', 'address traces', 'block I/O', 'zipf'] as const;

/** Rewrites the table in `guide` from the results at `results`; returns the guide's path. */
export function writePolicyTable(results: string, guide: string): string {
  const quality = JSON.parse(readFileSync(results, 'utf8')) as {
    date: string;
    cells: unknown[];
    bestPerCell: Record<string, number>;
    policies: Record<string, Record<string, number>>;
  };
  const rows = Object.entries(quality.policies).sort(([, a], [, b]) => a['all']! - b['all']!);
  const line = (name: string, values: Record<string, number>) => `| ${name} | ${[values['all']!, ...KINDS.map((kind) => values[kind]!)].map((v) => v.toFixed(3)).join(' | ')} |`;
  const table = [
    START,
    `Geometric mean of misses / Belady's over ${quality.cells.length} cells (\`bench-results/policy-quality.json\`, ${quality.date.slice(0, 10)}; lowest first):`,
    '',
    `| policy | all cells | ${KINDS.join(' | ')} |`,
    `|---|${'---|'.repeat(KINDS.length + 1)}`,
    ...rows.map(([name, values]) => line(name, values)),
    line('best of these, chosen per cell (an oracle)', quality.bestPerCell),
    END,
  ].join('\n');
  const text = readFileSync(guide, 'utf8');
  const from = text.indexOf(START);
  const to = text.indexOf(END);
  if (from < 0 || to < from) throw new Error(`${guide} has no ${START} … ${END} section to fill`);
  writeFileSync(guide, text.slice(0, from) + table + text.slice(to + END.length));
  return guide;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writePolicyTable(fileURLToPath(new URL('../../../bench-results/policy-quality.json', import.meta.url)), fileURLToPath(new URL('../../../docs/guides/policies.md', import.meta.url)));
}
