import type { FaultBatch } from '../../backend/paging-backend.js';
import { PagerError } from '../../errors/pager-error.js';

/** Attempts at a page-in that prep refused with ENOMEM before the pager gives up: 4.7 s at the default 100 ms. */
export const NO_MEMORY_ATTEMPTS = 8;

/**
 * Fault records whose page-in found no free memory (`POPULATE_NO_MEMORY`; Xen's prep failed with
 * `ENOMEM`): held back, uncompleted, so whoever faulted stays paused instead of faulting again at once, and retried with
 * exponential back-off. xenpaging's `xenpaging_populate_page` slept a second and retried for ever; this
 * gives up after {@link NO_MEMORY_ATTEMPTS} with a `PagerError` `PAGER_NO_MEMORY`: the pager stops and the
 * pages stay out, in the store.
 */
export class NoMemoryBackoff {
  private readonly held: FaultBatch;
  private heldCount = 0;
  /** Tries that found no memory in a row. */
  attempt = 0;
  /** When the held records are due again (clock ms), or undefined when none are held. */
  private retryAt: number | undefined;

  /**
   * @param capacity - the most records that can be held (the backend's batch size)
   * @param baseDelayMs - the first wait
   */
  constructor(
    capacity: number,
    private readonly baseDelayMs: number,
  ) {
    this.held = { pages: new Uint32Array(capacity), flags: new Uint8Array(capacity), who: new Int32Array(capacity), ids: new Uint32Array(capacity) };
  }

  /** Ms from `now` until the held records are due (0 if overdue), or undefined when none are held. */
  delayFrom(now: number): number | undefined {
    return this.retryAt === undefined ? undefined : Math.max(0, this.retryAt - now);
  }

  /** Whether held records are due at `now`. */
  due(now: number): boolean {
    return this.retryAt !== undefined && now >= this.retryAt;
  }

  /** Moves the held records into `into[0 … k)` for another try; returns k. */
  take(into: FaultBatch): number {
    const k = this.heldCount;
    copyRecords(this.held, 0, into, 0, k);
    this.heldCount = 0;
    this.retryAt = undefined;
    return k;
  }

  /**
   * Holds records `positions[0 … count)` of `batch` (they faulted on pages that found no memory) until the next try.
   *
   * @returns the delay before it, in ms
   * @throws {@link PagerError} `PAGER_NO_MEMORY` after {@link NO_MEMORY_ATTEMPTS} tries
   */
  hold(batch: FaultBatch, positions: readonly number[], now: number): number {
    this.attempt++;
    if (this.attempt > NO_MEMORY_ATTEMPTS) {
      const first = batch.pages[positions[0]!]!;
      throw new PagerError('PAGER_NO_MEMORY', `page-in of gfn 0x${first.toString(16)} and ${positions.length - 1} more found no free memory ${NO_MEMORY_ATTEMPTS} times; the pages stay out, in the store`, { gfn: first });
    }
    for (const at of positions) copyRecords(batch, at, this.held, this.heldCount++, 1);
    const delay = this.baseDelayMs * Math.min(8, 2 ** (this.attempt - 1));
    this.retryAt = now + delay;
    return delay;
  }

  /** A try brought every held page in: the next shortage starts counting from one again. */
  succeeded(): void {
    if (this.heldCount === 0) this.attempt = 0;
  }
}

function copyRecords(from: FaultBatch, at: number, to: FaultBatch, into: number, count: number): void {
  for (let i = 0; i < count; i++) {
    to.pages[into + i] = from.pages[at + i]!;
    to.flags[into + i] = from.flags[at + i]!;
    to.who[into + i] = from.who[at + i]!;
    to.ids[into + i] = from.ids[at + i]!;
  }
}
