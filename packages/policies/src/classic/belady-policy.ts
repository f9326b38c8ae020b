import { ConfigError, type PolicyContext } from '@pagevisor/core';
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
  readonly bytesPerPage = TrackedPolicy.BASE_BYTES + 16;
  private readonly future: Int32Array;
  private readonly key: Float64Array;
  private readonly heap: Int32Array;
  private readonly position: Int32Array;
  private count = 0;
  private pendingKey = NEVER;

  /** @throws {@link @pagevisor/core!ConfigError | ConfigError} without `context.future` (outside trace simulation) */
  constructor(context: PolicyContext) {
    super(context);
    if (!context.future) throw new ConfigError('policy', 'belady needs the future of a trace: it runs in trace simulation only (pagevisor simulate)');
    this.future = context.future;
    this.key = new Float64Array(context.maxPages);
    this.heap = new Int32Array(context.maxPages);
    this.position = new Int32Array(context.maxPages).fill(-1);
  }

  protected touch(gfn: number, time: number): void {
    this.key[gfn] = this.nextUse(time);
    this.siftUp(this.position[gfn]!);
    this.siftDown(this.position[gfn]!);
  }

  protected override onMiss(_gfn: number, time: number): void {
    this.pendingKey = this.nextUse(time);
  }

  protected admit(gfn: number): void {
    this.key[gfn] = this.pendingKey;
    this.pendingKey = NEVER;
    this.heap[this.count] = gfn;
    this.position[gfn] = this.count++;
    this.siftUp(this.count - 1);
  }

  protected evict(): number {
    if (this.count === 0) return -1;
    const top = this.heap[0]!;
    this.removeAt(0);
    return top;
  }

  protected forget(gfn: number): void {
    if (this.position[gfn]! >= 0) this.removeAt(this.position[gfn]!);
  }

  private nextUse(time: number): number {
    const next = time >= 0 ? this.future[time]! : -1;
    return next < 0 ? NEVER : next;
  }

  private removeAt(at: number): void {
    const gone = this.heap[at]!;
    this.position[gone] = -1;
    const last = this.heap[--this.count]!;
    if (at === this.count) return;
    this.heap[at] = last;
    this.position[last] = at;
    this.siftUp(at);
    this.siftDown(this.position[last]!);
  }

  private siftUp(at: number): void {
    const { heap, key, position } = this;
    const gfn = heap[at]!;
    while (at > 0) {
      const parent = (at - 1) >> 1;
      if (key[heap[parent]!]! >= key[gfn]!) break;
      heap[at] = heap[parent]!;
      position[heap[at]!] = at;
      at = parent;
    }
    heap[at] = gfn;
    position[gfn] = at;
  }

  private siftDown(at: number): void {
    const { heap, key, position, count } = this;
    const gfn = heap[at]!;
    for (;;) {
      let child = 2 * at + 1;
      if (child >= count) break;
      if (child + 1 < count && key[heap[child + 1]!]! > key[heap[child]!]!) child++;
      if (key[heap[child]!]! <= key[gfn]!) break;
      heap[at] = heap[child]!;
      position[heap[at]!] = at;
      at = child;
    }
    heap[at] = gfn;
    position[gfn] = at;
  }
}
