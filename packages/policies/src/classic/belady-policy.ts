import { ConfigError, type PolicyContext } from '@pagevisor/core';
import { IndexedMinHeap } from '../internal/indexed-min-heap.js';
import { TrackedPolicy } from './tracked-policy.js';

const NEVER = Number.MAX_SAFE_INTEGER;

/**
 * Belady's MIN (policies.md §3.7), the offline optimum: the victim is the resident page whose next use
 * is farthest away (never again counts as farthest). It needs the future of the trace, so it runs only
 * in trace simulation; it is the lower bound every report shows.
 *
 * @remarks
 * A binary max-heap of resident pages keyed by next use: 4 bytes of position, 8 of key and 4 of heap
 * per page.
 *
 * @example
 * ```ts
 * simulateTrace(ids, distinct, (ctx) => new BeladyPolicy(ctx), 1000, true).misses; // true: give it the future
 * ```
 */
export class BeladyPolicy extends TrackedPolicy {
  readonly name = 'belady';
  readonly bytesPerPage = TrackedPolicy.BASE_BYTES + IndexedMinHeap.BYTES_PER_ID;
  private readonly future: Int32Array;
  /** Resident pages by next use, the latest first (a min-heap of its negation; ties stay as they fall). */
  private readonly heap: IndexedMinHeap;
  private pendingKey = NEVER;

  /** @throws {@link @pagevisor/core!ConfigError | ConfigError} without `context.future` (outside trace simulation) */
  constructor(context: PolicyContext) {
    super(context);
    if (!context.future) throw new ConfigError('policy', 'belady needs the future of a trace: it runs in trace simulation only (pagevisor simulate)');
    this.future = context.future;
    this.heap = new IndexedMinHeap(context.maxPages);
  }

  protected touch(gfn: number, time: number): void {
    this.heap.set(gfn, -this.nextUse(time), 0);
  }

  protected override onMiss(_gfn: number, time: number): void {
    this.pendingKey = this.nextUse(time);
  }

  protected admit(gfn: number): void {
    this.heap.set(gfn, -this.pendingKey, 0);
    this.pendingKey = NEVER;
  }

  protected evict(): number {
    return this.heap.pop();
  }

  protected forget(gfn: number): void {
    this.heap.remove(gfn);
  }

  private nextUse(time: number): number {
    const next = time >= 0 ? this.future[time]! : -1;
    return next < 0 ? NEVER : next;
  }
}
