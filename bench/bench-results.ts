/**
 * What every benchmark script shares: the median of samples, and writing `bench-results/<name>.json`
 * at the repository root with the machine it ran on.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The median of `values` (the upper one of the middle two for an even count). */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[sorted.length >> 1]!;
}

/** Writes `bench-results/<name>.json`: the benchmark's name, date, machine, then `body`; returns the path. */
export function writeBenchResults(name: string, body: Record<string, unknown>): string {
  const out = resolve(dirname(fileURLToPath(import.meta.url)), `../bench-results/${name}.json`);
  mkdirSync(dirname(out), { recursive: true });
  const machine = { node: process.version, cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length };
  writeFileSync(out, JSON.stringify({ benchmark: name, date: new Date().toISOString(), machine, ...body }, null, 2) + '\n');
  return out;
}
