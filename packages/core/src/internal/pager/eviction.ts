import { EVICT_DONE, EVICT_SKIP, EVICT_TRY, EVICT_ZERO } from '../../backend/paging-backend.js';
import { HELD, OUT, PAGE_BYTES, type PagerContext } from './pager-context.js';
import type { EvictFailReason } from '../../pager/pager-events.js';

/**
 * The eviction half of the pager: the policy picks a batch, the backend prepares it (copies the pages
 * out, refusing some), the pager writes them to the store once and flushes, then the backend drops them
 * (xenpaging's `evict_pages` and `xenpaging_evict_page`, batched as seed 001's thread asked).
 */
export class Eviction {
  private readonly victims: Uint32Array;
  private readonly pages: Uint8Array;
  private readonly refused: Uint32Array;
  private readonly outcome: Uint8Array;
  /** Per prepared page, from a backend with dirty tracking: 1 if clean (the store holds its bytes). */
  private readonly clean: Uint8Array;

  constructor(private readonly ctx: PagerContext) {
    const batch = ctx.config.batchSize;
    this.victims = new Uint32Array(batch);
    this.pages = new Uint8Array(batch * PAGE_BYTES);
    this.refused = new Uint32Array(batch);
    this.outcome = new Uint8Array(batch);
    this.clean = new Uint8Array(batch);
  }

  /**
   * What the policy had been told (page-ins, evictions, drops, refusals) and the target when it last
   * found nothing. Until it hears more, asking again finds nothing again, yet cost it a pass over
   * every page (xenpaging's sweep), once per service pass: so the pager asks only after news, or when
   * the retry timer says to (a policy may also change its mind with time, as xenpaging does after 123
   * failed passes).
   */
  private exhaustedAt = -1;
  private exhaustedTarget = -1;

  /**
   * Evicts until the domain is at `target`; returns false when it stopped short (the policy had
   * nothing, or a batch evicted nothing) so the caller retries later instead of spinning.
   *
   * @param retry - ask the policy even if it found nothing last time and has heard nothing since
   */
  async towardTarget(target: number, retry: boolean): Promise<boolean> {
    const { backend, config, policy } = this.ctx;
    for (;;) {
      const excess = backend.residentPages() - target;
      if (excess <= 0) return true;
      const heard = this.policyNews();
      if (!retry && this.stillExhausted(heard, target)) return false;
      const chosen = policy.chooseVictims(Math.min(excess, config.batchSize), this.victims);
      if (chosen === 0) {
        this.exhaustedAt = heard;
        this.exhaustedTarget = target;
        return false;
      }
      if ((await this.batch(chosen)) === 0) return false;
    }
  }

  /**
   * Whether {@link Eviction.towardTarget} would ask the policy now: pages above `target`, and the
   * policy has heard something since it last found nothing (or `retry`).
   */
  wouldAsk(target: number, retry: boolean): boolean {
    return this.ctx.backend.residentPages() > target && (retry || !this.stillExhausted(this.policyNews(), target));
  }

  private stillExhausted(heard: number, target: number): boolean {
    return heard === this.exhaustedAt && target === this.exhaustedTarget;
  }

  /** How many things the policy has been told; it changes whenever the policy's inputs do. */
  private policyNews(): number {
    const c = this.ctx.counters;
    return c.pagedIn + c.evictions + c.evictFails + c.accessesSeen + this.ctx.forgotten;
  }

  /** Prepare (Xen: nominate and copy), one store write and flush, commit (Xen: evict): returns how many pages went out. */
  private async batch(chosen: number): Promise<number> {
    const ctx = this.ctx;
    const { backend, config, policy, store } = ctx;
    const { victims, pages, outcome } = this;
    const tracking = backend.capabilities.dirtyTracking;
    if (tracking) this.clean.fill(0, 0, chosen);
    const prepared = await backend.prepareEviction(victims, chosen, pages, tracking ? this.clean : undefined);
    let failed = chosen - prepared;
    for (let i = prepared; i < chosen; i++) this.failed(victims[i]!, 'nominate');
    if (prepared === 0) {
      ctx.events.next({ type: 'batch.evicted', evicted: 0, failed });
      return 0;
    }
    // Clean pages (the store holds their bytes) go out without a write: last in the batch. Before them,
    // pages of zeros (on a backend that maps zero pages itself) go out without a copy: first.
    const toWrite = tracking ? this.cleanLast(prepared) : prepared;
    const zeros = backend.capabilities.zeroPages ? this.zerosFirst(toWrite) : 0;
    try {
      if (toWrite > zeros) await store.writeBatch(this.stored(zeros), pages.subarray(zeros * PAGE_BYTES), toWrite - zeros);
      // The guest's copy goes only once the store's is durable (a no-op for the memory store).
      await store.flush();
    } catch (error) {
      await backend.abandonEviction(victims, prepared);
      ctx.counters.storeWriteErrors += prepared;
      for (let i = 0; i < prepared; i++) this.failed(victims[i]!, 'store');
      ctx.events.next({ type: 'store.write-failed', pages: prepared, error });
      return 0;
    }
    // Seed 003: a page the guest touched since it was prepared is not evicted (the policy says so). A
    // page the backend calls clean but whose copy this pager does not hold stays too: its bytes were
    // neither copied nor written.
    for (let i = 0; i < prepared; i++) {
      const skip = policy.confirmEviction?.(victims[i]!) === false || (i >= toWrite && ctx.out[victims[i]!] !== HELD);
      outcome[i] = skip ? EVICT_SKIP : i < zeros ? EVICT_ZERO : EVICT_TRY;
    }
    await backend.commitEviction(victims, prepared, pages, outcome);
    let evicted = 0;
    let refused = 0;
    for (let i = 0; i < prepared; i++) {
      const gfn = victims[i]!;
      if (outcome[i] !== EVICT_DONE) {
        this.failed(gfn, outcome[i] === EVICT_SKIP ? 'accessed' : 'evict');
        // The page stays, and its copy leaves the store (a backend tracking dirty pages marks it dirty).
        if ((i >= zeros && i < toWrite) || ctx.out[gfn] === HELD) this.refused[refused++] = gfn;
        if (ctx.out[gfn] === HELD) ctx.out[gfn] = 0;
        failed++;
        continue;
      }
      if (i >= zeros) {
        ctx.out[gfn] = OUT;
        ctx.outCount++;
        if (i >= toWrite) ctx.counters.cleanEvictions++;
      } else {
        ctx.counters.zeroEvictions++; // absent now: its next fault is filled with zeros, no store holds it
        if (ctx.out[gfn] === HELD) {
          ctx.out[gfn] = 0; // the copy it was paged in from is stale
          this.refused[refused++] = gfn;
        }
      }
      policy.notifyPagedOut(gfn);
      if (config.pageEvents) ctx.events.next({ type: 'page.evicted', gfn });
      evicted++;
    }
    if (refused > 0) await store.deleteBatch(this.refused, refused);
    ctx.counters.evictions += evicted;
    ctx.events.next({ type: 'batch.evicted', evicted, failed });
    return evicted;
  }

  /**
   * Moves the prepared pages the backend called clean to the end of the batch (victims and flags; their
   * bytes were not copied, so a page moved into their place brings its bytes); returns how many others
   * there are. Backends that list clean pages last cost no copy.
   */
  private cleanLast(prepared: number): number {
    const { victims, pages, clean } = this;
    let end = prepared;
    for (let i = 0; i < end; i++) {
      if (clean[i] !== 1) continue;
      while (end > i + 1 && clean[end - 1] === 1) end--;
      if (end === i + 1) {
        end = i;
        break;
      }
      end--;
      // Swap the clean page i with the dirty page at end: only the dirty one's bytes matter.
      const gfn = victims[i]!;
      victims[i] = victims[end]!;
      victims[end] = gfn;
      clean[i] = 0;
      clean[end] = 1;
      pages.copyWithin(i * PAGE_BYTES, end * PAGE_BYTES, (end + 1) * PAGE_BYTES);
    }
    return end;
  }

  /**
   * Moves the prepared pages whose bytes are all zeros to the front of the batch (victims and bytes
   * alike); returns how many.
   */
  private zerosFirst(prepared: number): number {
    const { victims, pages } = this;
    const words = new Int32Array(pages.buffer, pages.byteOffset, (prepared * PAGE_BYTES) >> 2);
    let zeros = 0;
    for (let i = 0; i < prepared; i++) {
      const from = (i * PAGE_BYTES) >> 2;
      let zero = true;
      for (let w = from, end = from + (PAGE_BYTES >> 2); w < end; w++) {
        if (words[w] !== 0) {
          zero = false;
          break;
        }
      }
      if (!zero) continue;
      if (i !== zeros) {
        // Swap page i with the first non-zero one; a zero page's bytes need no copy, only the other's.
        const other = victims[zeros]!;
        victims[zeros] = victims[i]!;
        victims[i] = other;
        pages.copyWithin(i * PAGE_BYTES, zeros * PAGE_BYTES, (zeros + 1) * PAGE_BYTES);
        pages.fill(0, zeros * PAGE_BYTES, (zeros + 1) * PAGE_BYTES);
      }
      zeros++;
    }
    return zeros;
  }

  /** The victims from `from` on, the ones the store writes. */
  private stored(from: number): Uint32Array {
    return from === 0 ? this.victims : this.victims.subarray(from);
  }

  private failed(gfn: number, reason: EvictFailReason): void {
    this.ctx.counters.evictFails++;
    this.ctx.counters.evictFailReasons[reason]++;
    this.ctx.policy.notifyNominationFailed(gfn);
    if (this.ctx.config.pageEvents) this.ctx.events.next({ type: 'page.evict-failed', gfn, reason });
  }
}
