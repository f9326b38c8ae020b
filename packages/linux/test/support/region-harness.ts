// What the region tests share: a Worker running region-worker.ts over a region, and a seeded order.
import { Worker } from 'node:worker_threads';
import type { RegionJob } from './region-worker.js';

/** A Worker over region `region`, run under tsx like the tests; `run` posts a job and waits for its answer. */
export function regionWorker(region: number) {
  const worker = new Worker(new URL('./boot-worker.mjs', import.meta.url), {
    workerData: { region, script: new URL('./region-worker.ts', import.meta.url).href },
    execArgv: ['--conditions=@pagevisor/source'],
  });
  const run = (job: RegionJob) =>
    new Promise<{ bad: number; pages: number; badPages?: string[] }>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
      worker.postMessage(job);
    });
  return { run, stop: () => worker.terminate() };
}

/** `0 … n-1` shuffled by a seeded LCG. */
export function shuffled(n: number, seed: number): number[] {
  const order = Array.from({ length: n }, (_, i) => i);
  let s = seed;
  for (let i = n - 1; i > 0; i--) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    const j = s % (i + 1);
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  return order;
}
