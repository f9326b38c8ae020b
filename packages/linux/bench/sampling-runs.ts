// The benchmark's access-sampling runs (see linux.bench.ts): what sampling buys (faults on a zipf and
// a real trace, with and without it, against xenpaging's policy, which needs none) and what it costs
// (the time the same replay takes).
import { Worker } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';
import { createPager } from '@pagevisor/core';
import { policyNamed, type PolicyName } from '@pagevisor/policies';
import { memoryStore } from '@pagevisor/storage';
import { readTrace, traceWorkload, zipfWorkload, type Workload } from '@pagevisor/testing';
import { openPagedRegion, type AccessSamplingOptions } from '../src/index.js';

/** The sampling of the runs that sample: a quarter of the pages every 5 ms (each page every 20 ms). */
export const BENCH_SAMPLING: AccessSamplingOptions = { fraction: 1 / 4, intervalMs: 5 };

/** The runs of each workload: a policy, sampled or not. */
export const SAMPLING_CASES: readonly (readonly [PolicyName, boolean])[] = [
  ['xenpaging', false],
  ['clock', false],
  ['clock', true],
  ['lru', false],
  ['lru', true],
  ['access-timestamp', false],
  ['access-timestamp', true],
];

/** One replay: the faults the pager served, the accesses sampling reported, and the replay's time. */
export interface SamplingRun {
  readonly faults: number;
  readonly accessesSeen: number;
  readonly pagesSampled: number;
  readonly ms: number;
}

/** The workloads: zipf (alpha 0.99) over 16384 pages, and the LIRS sprite trace (a copy in @pagevisor/testing). */
export function samplingWorkloads(): Record<'zipf' | 'sprite', Workload> {
  const sprite = fileURLToPath(new URL('../../testing/fixtures/traces/lirs-sprite.trace.gz', import.meta.url));
  return { zipf: zipfWorkload({ pages: 16384, accesses: 200_000, seed: 1 }), sprite: traceWorkload(readTrace(sprite, { format: 'lirs' })) };
}

/** Replays `workload` in a Worker over a region held at a quarter of its pages, paged by `policy` into memory. */
export async function samplingRun(workload: Workload, policy: PolicyName, sampled: boolean): Promise<SamplingRun> {
  const region = openPagedRegion({ pages: workload.pages, target: Math.floor(workload.pages / 4), ...(sampled ? { sampling: BENCH_SAMPLING } : {}) });
  const pager = createPager({ backend: region.backend, policy: policyNamed(policy), store: memoryStore() });
  await pager.start();
  const worker = new Worker(new URL('./replayer.mjs', import.meta.url), { workerData: { region: region.id, ops: workload.ops, targets: workload.targets } });
  try {
    const ms = await new Promise<number>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    await pager.settle();
    return { faults: pager.stats.faults, accessesSeen: pager.stats.accessesSeen, pagesSampled: region.backend.pagesSampled, ms };
  } finally {
    await worker.terminate();
    await pager.stop('hard');
    region.close();
  }
}
