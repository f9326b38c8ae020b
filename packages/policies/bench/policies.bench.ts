/**
 * Benchmark: requests per second of trace simulation for every policy, on cloudPhysicsIO at C = 1000 and
 * C = 10000 and on lirs-sprite at C = 708, and each policy's bytes per page. Writes
 * `bench-results/policies.json`.
 *
 * Each policy runs in its own process (so one policy's classes do not slow another's call sites), the
 * traces preloaded; each figure is the median of 9 runs of the simulation loop (`simulateTrace`'s
 * `seconds`). The baseline, run in every process, is the same loop with a cache that only looks up
 * and sets a resident byte (no policy): the ratio says what share of that floor a policy reaches.
 *
 * Run: `pnpm bench` (all packages) or `pnpm --filter @pagevisor/policies bench`.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { PolicyContext, VictimPolicy } from '@pagevisor/core';
import { createPolicy, POLICY_NAMES, simulateTrace } from '@pagevisor/policies';
import { denseIds, readTrace } from '@pagevisor/testing';
import { median, writeBenchResults } from '../../../bench/bench-results.js';

const RUNS = 9;
const fixtures = fileURLToPath(new URL('../../testing/fixtures/traces/', import.meta.url));
const CELLS = [
  { trace: 'cloudPhysicsIO', file: 'cloudPhysicsIO.vscsi', format: 'vscsi', size: 1000 },
  { trace: 'cloudPhysicsIO', file: 'cloudPhysicsIO.vscsi', format: 'vscsi', size: 10000 },
  { trace: 'lirs-sprite', file: 'lirs-sprite.trace.gz', format: 'lirs', size: 708 },
] as const;

/** A cache with no policy: FIFO by a ring of resident ids, the cheapest eviction there is. */
function floorPolicy(context: PolicyContext): VictimPolicy {
  const ring = new Int32Array(Math.max(1, context.maxPages));
  let head = 0;
  let tail = 0;
  return {
    name: 'baseline',
    bytesPerPage: 4,
    chooseVictims(_n, out) {
      out[0] = ring[tail]!;
      tail = (tail + 1) % ring.length;
      return 1;
    },
    notifyPagedIn(gfn) {
      ring[head] = gfn;
      head = (head + 1) % ring.length;
    },
    notifyPagedOut: () => undefined,
    notifyDropped: () => undefined,
    notifyNominationFailed: () => undefined,
    notifyAccess: () => undefined,
  };
}

function measure(policy: string): Record<string, unknown> {
  const results: Record<string, unknown> = {};
  let bytesPerPage = 0;
  for (const cell of CELLS) {
    const { ids, distinct } = denseIds(readTrace(fixtures + cell.file, { format: cell.format }).ids);
    const rate = (make: (ctx: PolicyContext) => VictimPolicy, future: boolean): number => {
      const rates: number[] = [];
      for (let r = 0; r < RUNS; r++) {
        const result = simulateTrace(ids, distinct, make, cell.size, future);
        rates.push(result.requests / result.seconds);
      }
      return median(rates);
    };
    const baseline = rate(floorPolicy, false);
    const own = rate((ctx) => {
      const made = createPolicy(policy, ctx);
      bytesPerPage = made.bytesPerPage;
      return made;
    }, policy === 'belady');
    results[`${cell.trace} C=${cell.size}`] = { requestsPerSecond: Math.round(own), baselineRequestsPerSecond: Math.round(baseline), ratio: +(own / baseline).toFixed(3) };
  }
  return { ...results, bytesPerPage: +bytesPerPage.toFixed(2) };
}

const [, , only] = process.argv;
if (only) {
  console.log(JSON.stringify(measure(only)));
} else {
  const policies = POLICY_NAMES.filter((name) => name !== 'xenpaging');
  const byPolicy: Record<string, unknown> = {};
  for (const policy of policies) {
    const out = execFileSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), policy], { encoding: 'utf8' });
    byPolicy[policy] = JSON.parse(out.trim().split('\n').at(-1)!);
    console.log(`${policy}: ${JSON.stringify(byPolicy[policy])}`);
  }
  const path = writeBenchResults('policies', {
    method: `trace simulation (simulateTrace), each policy in its own process, traces preloaded, median of ${RUNS} runs of the simulation loop; baseline: the same loop with a FIFO ring and no policy logic, in the same process`,
    targets: { 'lru and clock at cloudPhysicsIO C=1000': 20_000_000, 'every other policy except belady': 10_000_000 },
    libCacheSimReference: { note: 'from the issue, C with -O3 and the trace preloaded, on this machine; not measured by this script', lru: 8_800_000, clock: 10_000_000 },
    policies: byPolicy,
  });
  console.log(`wrote ${path}`);
}
