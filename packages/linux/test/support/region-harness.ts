// What the region tests share: Workers over a region (region-worker.ts and the others), and a seeded order.
import { Worker } from 'node:worker_threads';
import type { RegionJob } from './region-worker.js';

/** A Worker running `script` (a file beside this one) over region `region`, under tsx like the tests. */
export function workerOver(region: number, script: string): Worker {
  return new Worker(new URL('./boot-worker.mjs', import.meta.url), {
    workerData: { region, script: new URL(`./${script}`, import.meta.url).href },
    execArgv: ['--conditions=@pagevisor/source'],
  });
}

/** A Worker over region `region` running region-worker.ts; `run` posts a job and waits for its answer. */
export function regionWorker(region: number) {
  const worker = workerOver(region, 'region-worker.ts');
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
