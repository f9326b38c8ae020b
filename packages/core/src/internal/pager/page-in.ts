import { FAULT_ABSENT, PAGE_PREFETCHED, PAGE_REMOVED, POPULATED, POPULATE_NO_MEMORY, type FaultBatch } from '../../backend/paging-backend.js';
import { NoMemoryBackoff } from './no-memory-backoff.js';
import { HELD, OUT, PAGE_BYTES, type PagerContext } from './pager-context.js';

/**
 * The page-in half of the pager: xenpaging's main loop over the backend's faults. Drains a batch,
 * reads the pages it holds from the store in one batch, populates them, forgets removed pages, and
 * completes every record (duplicates and removals included: the 4.1.0 pager's one-way drops filled the
 * ring).
 */
export class PageIn {
  private readonly batch: FaultBatch;
  private readonly gfns: Uint32Array;
  private readonly pages: Uint8Array;
  private readonly drops: Uint32Array;
  /** Per entry of `gfns`: the backend's populate outcome. */
  private readonly outcome: Uint8Array;
  /** Per entry of `gfns`: 1 if someone faulted on it, 0 if it is only prefetched (the policy hears it came in without an access). */
  private readonly faulted: Uint8Array;
  /** Records held back after a populate found no memory, retried with back-off. */
  readonly noMemory: NoMemoryBackoff;

  constructor(private readonly ctx: PagerContext) {
    const slots = ctx.maxBatch;
    this.batch = { pages: new Uint32Array(slots), flags: new Uint8Array(slots), who: new Int32Array(slots), ids: new Uint32Array(slots) };
    this.gfns = new Uint32Array(slots);
    this.pages = new Uint8Array(slots * PAGE_BYTES);
    this.drops = new Uint32Array(slots);
    this.outcome = new Uint8Array(slots);
    this.faulted = new Uint8Array(slots);
    this.noMemory = new NoMemoryBackoff(slots, ctx.config.retryIntervalMs);
  }

  /**
   * Serves one batch of fault records: the ones held back for memory when they are due, else the backend's.
   *
   * @param now - the clock, for the back-off of records held back for memory
   * @returns false when there was nothing to serve
   */
  async pass(now: number): Promise<boolean> {
    const ctx = this.ctx;
    const batch = this.batch;
    const n = this.noMemory.due(now) ? this.noMemory.take(batch) : ctx.backend.drainFaults(batch);
    if (n === 0) return false;
    const { gfns, drops, faulted } = this;
    let reads = 0;
    let dropped = 0;
    for (let i = 0; i < n; i++) {
      const gfn = batch.pages[i]!;
      if (gfn >= ctx.maxPages) continue; // completed below; nothing to page in beyond the page space
      if ((batch.flags[i]! & PAGE_REMOVED) !== 0) {
        if (ctx.out[gfn] === OUT) {
          // A fault on this gfn earlier in the batch listed it for reading; the page is gone now (found
          // by the interleaving harness: the drop's delete ran before the read, which failed).
          const listedAt = indexIn(gfns, reads, gfn);
          if (listedAt >= 0) {
            gfns[listedAt] = gfns[--reads]!;
            faulted[listedAt] = faulted[reads]!;
          }
          ctx.forget(gfn);
          drops[dropped++] = gfn;
        } else if (ctx.out[gfn] === HELD) {
          ctx.out[gfn] = 0; // resident, and its copy in the store is of no use any more
          drops[dropped++] = gfn;
        }
        ctx.counters.drops++;
        continue;
      }
      const fault = (batch.flags[i]! & PAGE_PREFETCHED) === 0 ? 1 : 0;
      ctx.counters.faults += fault; // a prefetch is counted when its page comes in
      // Duplicate faults on one page are normal: page it in once, complete them all.
      if (ctx.out[gfn] === OUT) {
        const listedAt = indexIn(gfns, reads, gfn);
        if (listedAt >= 0) faulted[listedAt] = faulted[listedAt]! | fault;
        else {
          faulted[reads] = fault;
          gfns[reads++] = gfn;
        }
      } else if ((batch.flags[i]! & FAULT_ABSENT) !== 0) {
        // A first touch (or a page evicted as zeros): the backend fills it with zeros as it completes the record.
        ctx.policy.notifyPagedIn(gfn, true);
        ctx.counters.zeroFills++;
      }
    }
    if (dropped > 0) await ctx.store.deleteBatch(drops, dropped);
    const { loaded: pagedIn, starved } = reads > 0 ? await this.load(reads) : { loaded: 0, starved: 0 };
    const answered = starved > 0 ? this.holdStarved(n, reads, now) : n;
    if (starved === 0) this.noMemory.succeeded();
    await ctx.backend.completeFaults(batch.ids, answered);
    ctx.events.next({ type: 'batch.paged-in', pagedIn, dropped, answered });
    return true;
  }

  /**
   * Holds back the records of pages that found no memory (whoever faulted stays paused), keeps the
   * others at the front of the batch, and returns how many those are.
   */
  private holdStarved(n: number, reads: number, now: number): number {
    const { batch, gfns, outcome } = this;
    const held: number[] = [];
    const keep: number[] = [];
    for (let i = 0; i < n; i++) {
      const at = indexIn(gfns, reads, batch.pages[i]!);
      if (at >= 0 && outcome[at] === POPULATE_NO_MEMORY && (batch.flags[i]! & PAGE_REMOVED) === 0) held.push(i);
      else keep.push(i);
    }
    const retryInMs = this.noMemory.hold(batch, held, now);
    // Compact the kept records to the front (in order; each moves left or stays).
    keep.forEach((from, to) => {
      batch.pages[to] = batch.pages[from]!;
      batch.flags[to] = batch.flags[from]!;
      batch.who[to] = batch.who[from]!;
      batch.ids[to] = batch.ids[from]!;
    });
    this.ctx.events.next({ type: 'batch.delayed', pages: held.length, attempt: this.noMemory.attempt, retryInMs });
    return keep.length;
  }

  /**
   * Reads `count` pages from the store and populates them; returns how many came in, and how many
   * found no free memory (those stay out, their pages kept in the store).
   */
  private async load(count: number): Promise<{ loaded: number; starved: number }> {
    const ctx = this.ctx;
    const { store, config } = ctx;
    const { gfns, pages, outcome } = this;
    for (let attempt = 1; ; attempt++) {
      try {
        await store.readBatch(gfns, count, pages);
        break;
      } catch (error) {
        ctx.events.next({ type: 'store.read-failed', pages: count, attempt, error });
        if (attempt >= config.readAttempts) throw error; // defined outcome: the pager stops, pages stay out
      }
    }
    await ctx.backend.populate(gfns, count, pages, outcome);
    const keep = ctx.backend.capabilities.dirtyTracking;
    let loaded = 0;
    let hungry = 0;
    for (let i = 0; i < count; i++) {
      const result = outcome[i];
      if (result === POPULATE_NO_MEMORY) hungry++;
      if (result !== POPULATED) continue; // POPULATE_GONE: the page left the guest; its removal follows
      const gfn = gfns[i]!;
      ctx.out[gfn] = keep ? HELD : 0;
      ctx.outCount--;
      const faulted = this.faulted[i] === 1;
      if (!faulted) ctx.counters.prefetched++;
      ctx.policy.notifyPagedIn(gfn, faulted);
      if (config.pageEvents) ctx.events.next({ type: 'page.populated', gfn });
      loaded++;
    }
    ctx.counters.pagedIn += loaded;
    if (hungry === 0 && !keep) {
      await store.deleteBatch(gfns, count);
    } else {
      // The starved pages stay in the store for the next try; so do the ones paged in, on a backend
      // that tracks dirty pages: evicted again while clean, they need no write.
      let deleted = 0;
      for (let i = 0; i < count; i++) if (outcome[i] !== POPULATE_NO_MEMORY && !(keep && outcome[i] === POPULATED)) this.drops[deleted++] = gfns[i]!;
      if (deleted > 0) await store.deleteBatch(this.drops, deleted);
    }
    return { loaded, starved: hungry };
  }
}

function indexIn(gfns: Uint32Array, count: number, gfn: number): number {
  for (let i = 0; i < count; i++) if (gfns[i] === gfn) return i;
  return -1;
}
