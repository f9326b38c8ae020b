import type { PagingAbi } from '../../abi/paging-abi.js';
import type { PagingMessage } from '../../abi/paging-message.js';
import { HypervisorError } from '../../errors/hypervisor-error.js';

/** Attempts at a page-in that prep refused with ENOMEM before the pager gives up: 4.7 s at the default 100 ms. */
export const NO_MEMORY_ATTEMPTS = 8;

/**
 * Requests whose page-in found no free machine frame (`prep` failed with `ENOMEM`): held back,
 * unanswered, so the faulting vcpus stay paused instead of faulting again at once, and retried with
 * exponential back-off. xenpaging's `xenpaging_populate_page` slept a second and retried for ever; this
 * gives up after {@link NO_MEMORY_ATTEMPTS} with a `HypervisorError` `ENOMEM`: the pager stops and the
 * pages stay out, in the store.
 */
export class NoMemoryBackoff {
  private readonly held: PagingMessage[] = [];
  /** Tries that found no memory in a row. */
  attempt = 0;
  /** When the held requests are due again (clock ms), or undefined when none are held. */
  private retryAt: number | undefined;

  constructor(
    private readonly abi: PagingAbi,
    private readonly baseDelayMs: number,
  ) {}

  /** Ms from `now` until the held requests are due (0 if overdue), or undefined when none are held. */
  delayFrom(now: number): number | undefined {
    return this.retryAt === undefined ? undefined : Math.max(0, this.retryAt - now);
  }

  /** Whether held requests are due at `now`. */
  due(now: number): boolean {
    return this.retryAt !== undefined && now >= this.retryAt;
  }

  /** Moves the held requests into `into[0 … k)` for another try; returns k. */
  take(into: PagingMessage[]): number {
    const k = this.held.length;
    for (let i = 0; i < k; i++) into[i] = this.held[i]!;
    this.held.length = 0;
    this.retryAt = undefined;
    return k;
  }

  /**
   * Holds copies of `requests` (they faulted on gfns prep could not allocate for) until the next try.
   *
   * @returns the delay before it, in ms
   * @throws HypervisorError `ENOMEM` after {@link NO_MEMORY_ATTEMPTS} tries
   */
  hold(requests: readonly PagingMessage[], now: number): number {
    this.attempt++;
    if (this.attempt > NO_MEMORY_ATTEMPTS) {
      throw new HypervisorError('ENOMEM', `page-in of gfn 0x${requests[0]!.gfn.toString(16)} and ${requests.length - 1} more found no free memory ${NO_MEMORY_ATTEMPTS} times; the pages stay out, in the store`, { gfn: requests[0]!.gfn });
    }
    for (const r of requests) this.held.push(this.abi.create({ ...r, opaque: r.opaque?.slice() }));
    const delay = this.baseDelayMs * Math.min(8, 2 ** (this.attempt - 1));
    this.retryAt = now + delay;
    return delay;
  }

  /** A try brought every held page in: the next shortage starts counting from one again. */
  succeeded(): void {
    if (this.held.length === 0) this.attempt = 0;
  }
}
