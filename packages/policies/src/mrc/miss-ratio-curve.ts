import { ConfigError } from '@pagevisor/core';
import { mix32 } from '../internal/mix32.js';
import { StackDistances } from './stack-distances.js';

/**
 * LRU's miss ratio at every cache size, from one pass over a trace.
 *
 * @example
 * ```ts
 * const curve = lruMissRatioCurve(ids, distinct);
 * curve.missRatio(1000); // LRU's miss ratio with 1000 pages
 * ```
 */
export interface MissRatioCurve {
  /** Requests the curve was computed from (for SHARDS, the trace's, not the sample's). */
  readonly requests: number;
  /** For SHARDS, the share of pages sampled; 1 for the exact curve. */
  readonly rate: number;
  /** The miss ratio of an LRU cache of `pages` pages (0 misses every request). */
  missRatio(pages: number): number;
}

/** A curve from a histogram: `hits[d]` requests of distance `d` (1 … length-1), out of `total`. */
class HistogramCurve implements MissRatioCurve {
  /** `hitsUpTo[c]`: requests of distance at most `c`. */
  private readonly hitsUpTo: Float64Array;

  constructor(
    hits: Float64Array,
    private readonly total: number,
    readonly requests: number,
    readonly rate: number,
  ) {
    this.hitsUpTo = new Float64Array(hits.length);
    for (let d = 1; d < hits.length; d++) this.hitsUpTo[d] = this.hitsUpTo[d - 1]! + hits[d]!;
  }

  missRatio(pages: number): number {
    if (this.total === 0) return 0;
    const c = Math.min(Math.max(0, Math.floor(pages)), this.hitsUpTo.length - 1);
    return Math.min(1, Math.max(0, 1 - this.hitsUpTo[c]! / this.total));
  }
}

/**
 * LRU's exact miss-ratio curve for a trace of dense page ids (`[0, distinct)`), from Mattson's stack
 * distances in one pass: equal, at every size, to what {@link simulateTrace} counts for `lru`.
 *
 * @example
 * ```ts
 * const { ids, distinct } = denseIds(readTrace('trace.vscsi', { format: 'vscsi' }).ids);
 * const curve = lruMissRatioCurve(ids, distinct);
 * console.log(curve.missRatio(1000) * ids.length); // LRU's misses at 1000 pages
 * ```
 */
export function lruMissRatioCurve(ids: Uint32Array, distinct: number): MissRatioCurve {
  const distances = new StackDistances(distinct, ids.length);
  const hits = new Float64Array(distinct + 1);
  for (let t = 0; t < ids.length; t++) {
    const d = distances.next(ids[t]!);
    if (d > 0) hits[d]!++;
  }
  return new HistogramCurve(hits, ids.length, ids.length, 1);
}

/**
 * LRU's miss-ratio curve estimated from a spatial sample of the pages (Waldspurger et al., "Efficient
 * MRC Construction with SHARDS", FAST 2015, fixed rate with the SHARDS-adj correction): a page is in
 * the sample when a hash of its id falls below `rate`; the sampled requests' stack distances, scaled by
 * `1 / rate`, stand for everyone's, and the difference between the expected and the actual number of
 * sampled requests is counted as hits at the smallest distance.
 *
 * @param rate - the share of pages sampled, above 0 and at most 1
 * @param seed - picks the hash (the same seed, the same sample)
 * @throws {@link @pagevisor/core!ConfigError | ConfigError} for a rate outside (0, 1]
 *
 * @example
 * ```ts
 * const exact = lruMissRatioCurve(ids, distinct);
 * const sampled = shardsMissRatioCurve(ids, distinct, 0.01);
 * console.log(Math.abs(exact.missRatio(1000) - sampled.missRatio(1000)));
 * ```
 */
export function shardsMissRatioCurve(ids: Uint32Array, distinct: number, rate: number, seed = 1): MissRatioCurve {
  if (!(rate > 0 && rate <= 1)) throw new ConfigError('rate', `a SHARDS sampling rate is above 0 and at most 1, not ${rate}`);
  const threshold = Math.floor(rate * 0x1_0000_0000);
  const sampled = new Uint8Array(distinct);
  let sampledRequests = 0;
  for (let page = 0; page < distinct; page++) sampled[page] = mix32((page ^ Math.imul(seed, 0x9e3779b9)) >>> 0) < threshold ? 1 : 0;
  for (let t = 0; t < ids.length; t++) sampledRequests += sampled[ids[t]!]!;
  const distances = new StackDistances(distinct, sampledRequests);
  const hits = new Float64Array(distinct + 1);
  for (let t = 0; t < ids.length; t++) {
    const page = ids[t]!;
    if (sampled[page] === 0) continue;
    const d = distances.next(page);
    if (d > 0) hits[Math.min(distinct, Math.max(1, Math.round(d / rate)))]! += 1;
  }
  // SHARDS-adj: the sample has as many requests as expected of it, the shortfall (or excess) as hits
  // at the first distance, where it moves the curve least.
  const expected = ids.length * rate;
  hits[1]! += expected - sampledRequests;
  return new HistogramCurve(hits, expected, ids.length, rate);
}
