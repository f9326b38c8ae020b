import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import { ConfigError, moduleWorker, PolicyError } from '@pagevisor/core';
import { createPolicy, isSimulatablePolicy, SIMULATABLE_POLICIES } from '../policy-registry.js';
import { checkSize, nextUses, replayTrace, type SimulationResult } from './simulate-trace.js';
import type { SimulationCellAnswer, SimulationWorkerData } from './simulation-job.js';

/** From the sources (the repository's tests), the workers' tsconfig: the repository's. */
const SOURCE_TSCONFIG = new URL('../../../../tsconfig.base.json', import.meta.url).pathname;

/**
 * One run of {@link simulateCells}: a policy by name and a cache size in pages.
 *
 * @example
 * ```ts
 * const cell: SimulationCell = { policy: 'arc', size: 1000 };
 * ```
 */
export interface SimulationCell {
  /** A policy name trace simulation can run (`createPolicy`'s names). */
  readonly policy: string;
  /** The cache's size in pages. */
  readonly size: number;
}

/**
 * Options of {@link simulateCells}.
 *
 * @example
 * ```ts
 * const options: SimulateCellsOptions = { threads: 4, onResult: (r, index, done) => console.log(`${done} done`, index, r.policy, r.misses) };
 * ```
 */
export interface SimulateCellsOptions {
  /** Worker threads (default the machine's available parallelism, at most one per cell); 1 runs every cell on this thread. */
  readonly threads?: number;
  /** Seed of every cell's policy (default 1, as {@link simulateTrace}). */
  readonly seed?: number;
  /** Stops handing out cells once aborted; the cells that finished are returned. */
  readonly signal?: AbortSignal;
  /** Called as each cell finishes, in the order they finish: its result, its index in `cells`, and how many have finished. */
  readonly onResult?: (result: SimulationResult, index: number, done: number) => void;
}

/**
 * Runs many (policy, size) cells over one trace, on worker threads that all read one copy of it (a
 * `SharedArrayBuffer`, and Belady's future beside it when a cell runs `belady`): each cell gives what
 * {@link simulateTrace} gives for it, whichever thread runs it. Results come back in the order of
 * `cells`; after an abort, only the cells that finished.
 *
 * @throws {@link @pagevisor/core!ConfigError | ConfigError} for a size that is not a whole number of
 * pages or a policy trace simulation cannot run (before any cell runs); {@link @pagevisor/core!PolicyError | PolicyError}
 * when a policy breaks the cache's rules in some cell
 *
 * @example
 * ```ts
 * const { ids, distinct } = denseIds(readTrace('cloudPhysicsIO.vscsi', { format: 'vscsi' }).ids);
 * const cells = ['lru', 'arc', 'lirs'].flatMap((policy) => [500, 1000, 5000].map((size) => ({ policy, size })));
 * for (const r of await simulateCells(ids, distinct, cells)) console.log(r.policy, r.size, r.missRatio);
 * ```
 */
export async function simulateCells(ids: Uint32Array, distinct: number, cells: readonly SimulationCell[], options: SimulateCellsOptions = {}): Promise<SimulationResult[]> {
  for (const cell of cells) {
    checkSize(cell.size);
    if (!isSimulatablePolicy(cell.policy)) throw new ConfigError('policy', `no policy "${cell.policy}" for trace simulation (${SIMULATABLE_POLICIES.join(', ')}, clockN)`);
  }
  const seed = options.seed ?? 1;
  const threads = Math.max(1, Math.min(cells.length, options.threads ?? availableParallelism()));
  const needsFuture = cells.some((cell) => cell.policy === 'belady');
  if (threads === 1) return simulateHere(ids, distinct, cells, needsFuture ? nextUses(ids, distinct) : undefined, seed, options);
  const shared = new Uint32Array(new SharedArrayBuffer(ids.byteLength));
  shared.set(ids);
  let future: Int32Array | undefined;
  if (needsFuture) {
    future = new Int32Array(new SharedArrayBuffer(ids.length * 4));
    future.set(nextUses(shared, distinct));
  }
  return simulateOnWorkers({ ids: shared, distinct, future, seed }, cells, threads, options);
}

async function simulateHere(ids: Uint32Array, distinct: number, cells: readonly SimulationCell[], future: Int32Array | undefined, seed: number, options: SimulateCellsOptions): Promise<SimulationResult[]> {
  const results: SimulationResult[] = [];
  for (const [index, cell] of cells.entries()) {
    if (options.signal?.aborted) break;
    const result = replayTrace(ids, distinct, (context) => createPolicy(cell.policy, context), cell.size, future, seed);
    results.push(result);
    options.onResult?.(result, index, results.length);
    await new Promise((resolve) => setImmediate(resolve)); // an abort is seen between cells
  }
  return results;
}

function simulateOnWorkers(data: SimulationWorkerData, cells: readonly SimulationCell[], threads: number, options: SimulateCellsOptions): Promise<SimulationResult[]> {
  const results: (SimulationResult | undefined)[] = new Array(cells.length);
  const workers = Array.from({ length: threads }, () => moduleWorker(import.meta.url, 'simulate-worker', { workerData: data }, SOURCE_TSCONFIG));
  let next = 0;
  let done = 0;
  let busy = 0;
  return new Promise<SimulationResult[]>((resolve, reject) => {
    let settled = false;
    const onAbort = (): void => {
      if (busy === 0) finish();
    };
    const finish = (error?: Error): void => {
      if (settled) return;
      settled = true;
      options.signal?.removeEventListener('abort', onAbort);
      for (const worker of workers) void worker.terminate();
      if (error) reject(error);
      else resolve(results.filter((r): r is SimulationResult => r !== undefined));
    };
    const dispatch = (worker: Worker): void => {
      if (next < cells.length && !options.signal?.aborted) {
        const index = next++;
        busy++;
        worker.postMessage({ index, policy: cells[index]!.policy, size: cells[index]!.size });
      } else if (busy === 0) finish();
    };
    for (const worker of workers) {
      worker.on('message', (answer: SimulationCellAnswer) => {
        busy--;
        if ('error' in answer) {
          const cell = cells[answer.index]!;
          finish(new PolicyError(cell.policy, `${answer.error.name} in ${cell.policy} at size ${cell.size}: ${answer.error.message}`, undefined, -1));
          return;
        }
        results[answer.index] = answer.result;
        options.onResult?.(answer.result, answer.index, ++done);
        dispatch(worker);
      });
      worker.on('error', (error) => finish(error));
      worker.on('exit', (code) => {
        if (code !== 0) finish(new Error(`a simulation worker exited with code ${code}`));
      });
    }
    options.signal?.addEventListener('abort', onAbort);
    for (const worker of workers) dispatch(worker);
  });
}
