/**
 * Benchmark: the whole `pagevisor simulate` process against libCacheSim's `cachesim` on the same
 * multi-million-request trace files, in oracleGeneral and in plain text, LRU at one size, one thread.
 * Writes `bench-results/simulate-process.json`.
 *
 * Wall time of each process from spawn to exit (start-up, reading the file, renumbering the ids and
 * simulating: everything a user waits for), median of RUNS runs, the two tools alternating so that
 * both see the same load on a shared machine. Both must count the same misses (cachesim prints its
 * miss ratio to 4 decimals), or the benchmark fails.
 *
 * The traces are written fresh: 5.3 M requests drawn from a seeded Zipf (alpha 0.9) over 100 K and
 * over 1 M pages, with Pagevisor's own generator.
 *
 * libCacheSim is not part of the repository: build it outside (github.com/1a1a11a/libCacheSim,
 * `cmake -DCMAKE_BUILD_TYPE=Release .. && make cachesim`) and point `CACHESIM` at the binary; without
 * it the benchmark says so and writes nothing. The CLI must be built (`pnpm bench` builds first).
 *
 * Run: `CACHESIM=/path/to/cachesim pnpm --filter @pagevisor/cli bench` (or `pnpm bench` with `CACHESIM` set).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { zipfWorkload } from '@pagevisor/testing';
import { median, writeBenchResults } from '../../../bench/bench-results.js';

const RUNS = 7;
const REQUESTS = 5_300_000;
const TRACES = [
  { name: 'zipf-0.9-100K', pages: 100_000, size: 10_000 },
  { name: 'zipf-0.9-1M', pages: 1_000_000, size: 100_000 },
] as const;
const cli = fileURLToPath(new URL('../dist/bin.js', import.meta.url));

interface Timed {
  readonly seconds: number;
  readonly missRatio: number;
}

/** One oracleGeneral record per request (`<u32 time, u64 id, u32 size, i64 next access>`), ids from 1. */
function oracleGeneral(targets: ArrayLike<number>): Buffer {
  const bytes = Buffer.alloc(targets.length * 24);
  for (let t = 0; t < targets.length; t++) {
    bytes.writeUInt32LE(t, t * 24);
    bytes.writeBigUInt64LE(BigInt(targets[t]! + 1), t * 24 + 4);
    bytes.writeUInt32LE(4096, t * 24 + 12);
    bytes.writeBigInt64LE(-1n, t * 24 + 16);
  }
  return bytes;
}

function timed(command: string, args: readonly string[], missRatio: (stdout: string) => number): Timed {
  const start = performance.now();
  const run = spawnSync(command, args, { encoding: 'utf8', maxBuffer: 1 << 24 });
  const seconds = (performance.now() - start) / 1000;
  if (run.status !== 0) throw new Error(`${command} ${args.join(' ')} exited ${run.status}: ${run.stderr}`);
  return { seconds, missRatio: missRatio(run.stdout) };
}

function pagevisor(file: string, format: string, size: number): Timed {
  return timed(process.execPath, [cli, 'simulate', '--trace', file, '--format', format, '--policy', 'lru', '--size', String(size), '--threads', '1', '--json'], (out) => (JSON.parse(out) as { missRatio: number }).missRatio);
}

function cachesim(binary: string, file: string, format: string, size: number): Timed {
  return timed(binary, [file, format, 'lru', String(size), '--ignore-obj-size', '1'], (out) => {
    const ratio = /miss ratio ([\d.]+)/.exec(out);
    if (!ratio) throw new Error(`no miss ratio in cachesim's output: ${out}`);
    return Number(ratio[1]);
  });
}

const binary = process.env['CACHESIM'];
if (binary === undefined || !existsSync(binary)) {
  console.log(`simulate-process: not run: CACHESIM=${binary ?? '(unset)'} is not libCacheSim's cachesim binary (build it outside the repo; see this file's header)`);
} else {
  const dir = mkdtempSync(join(tmpdir(), 'pagevisor-simulate-bench-'));
  try {
    const results = [];
    for (const trace of TRACES) {
      const targets = zipfWorkload({ pages: trace.pages, accesses: REQUESTS, seed: 7, alpha: 0.9 }).targets;
      const files = { oracleGeneral: join(dir, `${trace.name}.oracleGeneral.bin`), txt: join(dir, `${trace.name}.txt`) };
      writeFileSync(files.oracleGeneral, oracleGeneral(targets));
      writeFileSync(files.txt, Array.from(targets, (page) => page + 1).join('\n') + '\n');
      for (const format of ['oracleGeneral', 'txt'] as const) {
        const ours: number[] = [];
        const theirs: number[] = [];
        for (let run = 0; run < RUNS; run++) {
          const a = pagevisor(files[format], format, trace.size);
          const b = cachesim(binary, files[format], format, trace.size);
          if (Math.abs(a.missRatio - b.missRatio) > 0.00005) throw new Error(`${trace.name} ${format}: pagevisor's miss ratio ${a.missRatio}, cachesim's ${b.missRatio}`);
          ours.push(a.seconds);
          theirs.push(b.seconds);
        }
        const row = { trace: trace.name, format, requests: REQUESTS, pages: trace.pages, size: trace.size, pagevisorSeconds: +median(ours).toFixed(3), cachesimSeconds: +median(theirs).toFixed(3), ratio: +(median(ours) / median(theirs)).toFixed(3) };
        console.log(`simulate-process: ${row.trace} ${row.format}: pagevisor ${row.pagevisorSeconds} s, cachesim ${row.cachesimSeconds} s, ratio ${row.ratio}`);
        results.push(row);
      }
    }
    console.log(`written ${writeBenchResults('simulate-process', { runs: RUNS, policy: 'lru', threads: 1, results })}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
