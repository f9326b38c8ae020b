import type { PolicyContext } from '@pagevisor/core';
import { IdLists } from '../internal/id-lists.js';
import { TrackedPolicy } from './tracked-policy.js';

const LIST = 1;

/**
 * LRU (policies.md §3.1): a hit moves the page to the head; the victim is the tail.
 *
 * @example
 * ```ts
 * simulateTrace(ids, distinct, (ctx) => new LruPolicy(ctx), 1000).misses;
 * ```
 */
export class LruPolicy extends TrackedPolicy {
  readonly name: string = 'lru';
  readonly bytesPerPage = TrackedPolicy.BASE_BYTES + IdLists.BYTES_PER_ID;
  protected readonly lists: IdLists;

  constructor(context: PolicyContext) {
    super(context);
    this.lists = new IdLists(context.maxPages, 1);
  }

  protected touch(gfn: number): void {
    this.lists.moveToHead(LIST, gfn);
  }

  protected admit(gfn: number): void {
    this.lists.pushHead(LIST, gfn);
  }

  protected evict(): number {
    return this.lists.popTail(LIST);
  }

  protected forget(gfn: number): void {
    this.lists.remove(gfn);
  }
}

/**
 * FIFO (§3.2): hits change nothing; the victim is the oldest page.
 *
 * @example
 * ```ts
 * simulateTrace(ids, distinct, (ctx) => new FifoPolicy(ctx), 1000).misses;
 * ```
 */
export class FifoPolicy extends LruPolicy {
  override readonly name: string = 'fifo';

  protected override touch(): void {}
}

/**
 * MRU (§3.8): a hit moves the page to the head; the victim is the head, the most recent page.
 *
 * @example
 * ```ts
 * simulateTrace(ids, distinct, (ctx) => new MruPolicy(ctx), 1000).misses;
 * ```
 */
export class MruPolicy extends LruPolicy {
  override readonly name: string = 'mru';

  protected override evict(): number {
    const head = this.lists.head(LIST);
    if (head >= 0) this.lists.remove(head);
    return head;
  }
}

/**
 * CLOCK with an n-bit counter (§3.3), as FIFO with reinsertion: a hit increments the page's counter
 * (up to 2^n − 1); the hand looks at the oldest page, and one with a counter above 0 has it decremented
 * and goes to the newest end. New pages start at 0. `bits` 1 is classic second chance.
 *
 * @example
 * ```ts
 * simulateTrace(ids, distinct, (ctx) => new ClockPolicy(ctx, 2), 1000).misses; // clock2: a 2-bit counter
 * ```
 */
export class ClockPolicy extends LruPolicy {
  override readonly name: string;
  override readonly bytesPerPage = TrackedPolicy.BASE_BYTES + IdLists.BYTES_PER_ID + 1;
  private readonly counter: Uint8Array;
  private readonly max: number;

  constructor(context: PolicyContext, bits = 1) {
    super(context);
    this.name = bits === 1 ? 'clock' : `clock${bits}`;
    this.max = 2 ** bits - 1;
    this.counter = new Uint8Array(context.maxPages);
  }

  protected override touch(gfn: number): void {
    if (this.counter[gfn]! < this.max) this.counter[gfn]!++;
  }

  protected override admit(gfn: number): void {
    this.counter[gfn] = 0;
    this.lists.pushHead(LIST, gfn);
  }

  protected override evict(): number {
    return this.lists.sweepClock(LIST, this.counter);
  }
}

/**
 * SIEVE (§3.4): new pages at the head, unvisited; a hit marks the page visited and does not move it.
 * The hand walks from the tail toward newer pages, clearing marks, and evicts the first unvisited page;
 * it then rests on that page's newer neighbour.
 *
 * @example
 * ```ts
 * simulateTrace(ids, distinct, (ctx) => new SievePolicy(ctx), 1000).misses;
 * ```
 */
export class SievePolicy extends LruPolicy {
  override readonly name: string = 'sieve';
  override readonly bytesPerPage = TrackedPolicy.BASE_BYTES + IdLists.BYTES_PER_ID + 1;
  private readonly visited: Uint8Array;
  private hand = -1;

  constructor(context: PolicyContext) {
    super(context);
    this.visited = new Uint8Array(context.maxPages);
  }

  protected override touch(gfn: number): void {
    this.visited[gfn] = 1;
  }

  protected override admit(gfn: number): void {
    this.visited[gfn] = 0;
    this.lists.pushHead(LIST, gfn);
  }

  protected override evict(): number {
    const { lists, visited } = this;
    let gfn = this.hand >= 0 ? this.hand : lists.tail(LIST);
    if (gfn < 0) return -1;
    while (visited[gfn] === 1) {
      visited[gfn] = 0;
      gfn = lists.prev[gfn]!;
      if (gfn < 0) gfn = lists.tail(LIST);
    }
    this.hand = lists.prev[gfn]!;
    lists.remove(gfn);
    return gfn;
  }

  protected override forget(gfn: number): void {
    if (gfn === this.hand) this.hand = this.lists.prev[gfn]!;
    this.lists.remove(gfn);
  }
}
