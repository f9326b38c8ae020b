import { ConfigError, type PolicyContext, type VictimPolicy } from '@pagevisor/core';
import { ShadowCache } from '../adaptive/shadow-cache.js';

/**
 * One (policy, size) run of a trace.
 *
 * @example
 * ```ts
 * const { misses, missRatio, seconds } = simulateTrace(ids, distinct, (ctx) => createPolicy('arc', ctx), 1000);
 * ```
 */
export interface SimulationResult {
  /** The policy's name. */
  readonly policy: string;
  /** Resident pages the cache holds at most. */
  readonly size: number;
  /** Requests replayed. */
  readonly requests: number;
  /** Requests whose page was not resident (compulsory misses included). */
  readonly misses: number;
  /** `misses / requests`. */
  readonly missRatio: number;
  /** Time of the simulation loop only (not reading the trace or building the policy). */
  readonly seconds: number;
}

/**
 * For every request `t` of `ids`, the index of the next request to the same page, or -1: one backward
 * pass (Belady's future, policies.md §3.7).
 *
 * @example
 * ```ts
 * const future = nextUses(Uint32Array.of(1, 2, 1, 3), 4); // Int32Array [2, -1, -1, -1]
 * ```
 */
export function nextUses(ids: Uint32Array, distinct: number): Int32Array {
  const future = new Int32Array(ids.length);
  const last = new Int32Array(distinct).fill(-1);
  for (let t = ids.length - 1; t >= 0; t--) {
    const id = ids[t]!;
    future[t] = last[id]!;
    last[id] = t;
  }
  return future;
}

/**
 * Replays a trace of dense page ids (`[0, distinct)`) through a cache of `size` pages run by the policy
 * `make` builds, with libCacheSim's request path (policies.md §3.0): every request is looked up; a miss
 * with a full cache evicts one page, then the missed page is always inserted. Size 0 misses every
 * request.
 *
 * @param make - builds the policy from its context (`startsEmpty`, and `future` when `withFuture`)
 * @param withFuture - give the policy the trace's future (Belady)
 * @throws {@link @pagevisor/core!PolicyError | PolicyError} when the policy names a victim that is not
 * resident, or none when the cache is full: either would make the miss count wrong
 *
 * @example
 * ```ts
 * const { ids, distinct } = denseIds(readTrace('trace.vscsi', { format: 'vscsi' }).ids);
 * const lru = simulateTrace(ids, distinct, (ctx) => createPolicy('lru', ctx), 1000);
 * console.log(lru.misses, lru.missRatio);
 * ```
 */
export function simulateTrace(ids: Uint32Array, distinct: number, make: (context: PolicyContext) => VictimPolicy, size: number, withFuture = false, seed = 1): SimulationResult {
  checkSize(size);
  return replayTrace(ids, distinct, make, size, withFuture ? nextUses(ids, distinct) : undefined, seed);
}

/** @throws {@link @pagevisor/core!ConfigError | ConfigError} unless `size` is a whole number of pages */
export function checkSize(size: number): void {
  if (!Number.isInteger(size) || size < 0) throw new ConfigError('size', `cache size ${size} is not a whole number of pages`);
}

/** {@link simulateTrace} with the trace's future computed already (shared by the cells of `simulateCells`). */
export function replayTrace(ids: Uint32Array, distinct: number, make: (context: PolicyContext) => VictimPolicy, size: number, future: Int32Array | undefined, seed: number): SimulationResult {
  const context: PolicyContext = { maxPages: distinct, neverEvict: new Uint8Array(distinct), seed, startsEmpty: true, future };
  const cache = new ShadowCache(make(context), distinct);
  cache.setCapacity(size);
  let misses = 0;
  const started = performance.now();
  for (let t = 0; t < ids.length; t++) if (cache.request(ids[t]!, t)) misses++;
  const seconds = (performance.now() - started) / 1000;
  return { policy: cache.policy.name, size, requests: ids.length, misses, missRatio: ids.length === 0 ? 0 : misses / ids.length, seconds };
}
