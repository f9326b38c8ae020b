import type { PolicyContext } from '@pagevisor/core';
import { IndexedMinHeap } from '../internal/indexed-min-heap.js';
import { TrackedPolicy } from '../classic/tracked-policy.js';

/** libCacheSim's scale of a hit's worth, `freq * 1e6 / size` with every page of size 1. */
const WORTH = 1.0e6;

/**
 * GreedyDual-Size-Frequency (Cherkasova, "Improving WWW Proxies Performance with Greedy-Dual-Size-
 * Frequency Caching Policy", HP Labs 1998) for pages of one size: a page's priority is the inflation
 * value `L` plus its hits since it came in (times a constant) when it came in or was last hit; the
 * victim has the lowest priority (the one set longest ago on a tie) and its priority becomes `L`, so
 * pages idle for long age out even if once popular. libCacheSim's `GDSF`
 * (libCacheSim/cache/eviction/cpp/GDSF.cpp, priority `L + freq * 1e6 / size`, ties by request time),
 * matched exactly.
 *
 * @example
 * ```ts
 * simulateTrace(ids, distinct, (ctx) => new GdsfPolicy(ctx), 1000).misses;
 * ```
 */
export class GdsfPolicy extends TrackedPolicy {
  readonly name = 'gdsf';
  readonly bytesPerPage = TrackedPolicy.BASE_BYTES + IndexedMinHeap.BYTES_PER_ID + 4;
  private readonly heap: IndexedMinHeap;
  private readonly hits: Uint32Array;
  /** The priority of the last victim. */
  private inflation = 0;
  /** Orders updates: each admit or hit takes the next value. */
  private clock = 0;

  constructor(context: PolicyContext) {
    super(context);
    this.heap = new IndexedMinHeap(context.maxPages);
    this.hits = new Uint32Array(context.maxPages);
  }

  protected touch(gfn: number): void {
    this.hits[gfn]!++;
    this.heap.set(gfn, this.inflation + this.hits[gfn]! * WORTH, this.clock++);
  }

  protected admit(gfn: number): void {
    this.hits[gfn] = 1;
    this.heap.set(gfn, this.inflation + WORTH, this.clock++);
  }

  protected evict(): number {
    const gfn = this.heap.peek();
    if (gfn < 0) return -1;
    this.inflation = this.heap.keyOf(gfn);
    this.heap.pop();
    return gfn;
  }

  protected forget(gfn: number): void {
    this.heap.remove(gfn);
  }
}
