import type { PagingMessage, VmEventMessage } from '../../abi/paging-message.js';
import { AbiError } from '../../errors/abi-error.js';
import { isPagevisorError } from '../../errors/pagevisor-error.js';
import { NoMemoryBackoff } from './no-memory-backoff.js';
import { OUT, PAGE_BYTES, type PagerContext } from './pager-context.js';

/**
 * The page-in half of the pager: xenpaging's main loop over the ring. Drains a batch of requests,
 * reads the pages it holds from the store in one batch, loads them, forgets dropped pages, and answers
 * every request (duplicates and DROP_PAGE included: the 4.1.0 pager's one-way drops filled the ring).
 */
export class PageIn {
  private readonly requests: PagingMessage[] = [];
  private readonly responses: PagingMessage[] = [];
  /** The responses translated to the ring's ABI, when an adapter bridges two ABIs. */
  private readonly wireResponses: PagingMessage[] = [];
  private readonly gfns: Uint32Array;
  private readonly pages: Uint8Array;
  private readonly drops: Uint32Array;
  /** Per entry of `gfns`: 1 when its prep found no free memory (ENOMEM) in this batch. */
  private readonly starved: Uint8Array;
  /** Requests held back after ENOMEM, retried with back-off. */
  readonly noMemory: NoMemoryBackoff;
  /** The DROP_PAGE and EVICT_FAIL bits of the ring's ABI, and whether they are in `pagingFlags` (vm_event). */
  private readonly dropBit: number;
  private readonly evictFailBit: number;
  private readonly inPagingFlags: boolean;

  constructor(private readonly ctx: PagerContext) {
    const slots = ctx.abi.ringSlots;
    this.gfns = new Uint32Array(slots);
    this.pages = new Uint8Array(slots * PAGE_BYTES);
    this.drops = new Uint32Array(slots);
    this.starved = new Uint8Array(slots);
    this.noMemory = new NoMemoryBackoff(ctx.pagerAbi, ctx.config.retryIntervalMs);
    // Bits by the ABI's own names: Xen 4.0 used bits 1 and 2 for DOM_PAUSED and OUT_OF_MEM.
    const abi = ctx.abi;
    this.inPagingFlags = abi.family === 'vm_event';
    const names = this.inPagingFlags ? abi.pagingFlagNames : abi.flagNames;
    this.dropBit = names.DROP_PAGE ?? 0;
    this.evictFailBit = names.EVICT_FAIL ?? 0;
  }

  /**
   * Serves one batch of requests: the ones held back for memory when they are due, else the ring's.
   *
   * @param now - the clock, for the back-off of requests held back for memory
   * @returns false when there was nothing to serve
   */
  async pass(now: number): Promise<boolean> {
    const ctx = this.ctx;
    const n = this.noMemory.due(now) ? this.noMemory.take(this.requests) : this.drain();
    if (n === 0) return false;
    const { gfns, drops } = this;
    let reads = 0;
    let dropped = 0;
    for (let i = 0; i < n; i++) {
      const r = this.requests[i]!;
      const gfn = r.gfn;
      if (gfn >= ctx.maxPages) continue; // answered below; nothing to page in beyond max_pages
      if (this.isDrop(r)) {
        if (ctx.out[gfn] === OUT) {
          // A fault on this gfn earlier in the batch listed it for reading; the page is gone now (found
          // by the interleaving harness: the drop's delete ran before the read, which failed).
          const listedAt = indexIn(gfns, reads, gfn);
          if (listedAt >= 0) gfns[listedAt] = gfns[--reads]!;
          ctx.forget(gfn);
          drops[dropped++] = gfn;
        }
        ctx.counters.drops++;
        continue;
      }
      ctx.counters.faults++;
      // Duplicate requests for one gfn are normal: page it in once, answer them all.
      if (ctx.out[gfn] === OUT && indexIn(gfns, reads, gfn) < 0) gfns[reads++] = gfn;
    }
    if (dropped > 0) await ctx.store.deleteBatch(drops, dropped);
    const { loaded: pagedIn, starved } = reads > 0 ? await this.load(reads) : { loaded: 0, starved: 0 };
    this.recoverEvictFails(n);
    const answered = starved > 0 ? this.holdStarved(n, reads, now) : n;
    if (starved === 0) this.noMemory.succeeded();
    this.answer(answered);
    ctx.events.next({ type: 'pagein.batch', pagedIn, dropped, answered });
    return true;
  }

  /**
   * Drains a batch from the ring, translated to the pager's ABI when an adapter bridges them.
   *
   * @throws {@link AbiError} `ABI_MISMATCH` for a vm_event request of another interface version: the
   * hypervisor speaks another ABI than the one configured first (a Xen before 4.13 cannot say which it
   * speaks), and would drop every response as `vm_event_resume` drops those of another version.
   */
  private drain(): number {
    const { abi, adapter, back } = this.ctx;
    const requests = this.requests;
    const n = back.drainRequests(abi, requests, abi.ringSlots, false);
    if (abi.family === 'vm_event') {
      const version = Number(abi.generation);
      for (let i = 0; i < n; i++) {
        const seen = (requests[i] as VmEventMessage).version;
        if (seen !== version) throw versionMismatch(abi.id, seen);
      }
    }
    if (adapter !== undefined) for (let i = 0; i < n; i++) requests[i] = adapter.fromWire(requests[i]!);
    return n;
  }

  /**
   * Holds back the requests of gfns whose prep found no memory (their vcpus stay paused), keeps the
   * others at the front of the batch, and returns how many those are.
   */
  private holdStarved(n: number, reads: number, now: number): number {
    const { requests, gfns, starved } = this;
    const held: PagingMessage[] = [];
    let kept = 0;
    for (let i = 0; i < n; i++) {
      const r = requests[i]!;
      const at = indexIn(gfns, reads, r.gfn);
      if (at >= 0 && starved[at] === 1) {
        held.push(r);
        continue;
      }
      requests[i] = requests[kept]!;
      requests[kept++] = r;
    }
    const retryInMs = this.noMemory.hold(held, now);
    this.ctx.events.next({ type: 'pagein.no-memory', pages: held.length, attempt: this.noMemory.attempt, retryInMs });
    return kept;
  }

  /**
   * Reads `count` gfns from the store and loads them into the guest; returns how many came in, and how
   * many found no free memory (those stay out, their pages kept in the store).
   */
  private async load(count: number): Promise<{ loaded: number; starved: number }> {
    const ctx = this.ctx;
    const { store, hypervisor, config } = ctx;
    const { gfns, pages, starved } = this;
    starved.fill(0, 0, count);
    let hungry = 0;
    for (let attempt = 1; ; attempt++) {
      try {
        await store.readBatch(gfns, count, pages);
        break;
      } catch (error) {
        ctx.events.next({ type: 'store.read-failed', pages: count, attempt, error });
        if (attempt >= config.readAttempts) throw error; // defined outcome: the pager stops, pages stay out
      }
    }
    let loaded = 0;
    for (let i = 0; i < count; i++) {
      const gfn = gfns[i]!;
      const page = pages.subarray(i * PAGE_BYTES, (i + 1) * PAGE_BYTES);
      try {
        if (ctx.abi.protocol.prepLoadsBuffer) {
          hypervisor.prep(config.domid, gfn, page);
        } else {
          // Paging age 1 (Xen 4.1): prep allocates, the pager writes through a writable mapping.
          hypervisor.prep(config.domid, gfn);
          const mapping = hypervisor.mapForeign(config.domid, gfn, true);
          mapping.bytes.set(page);
          hypervisor.unmapForeign(mapping);
        }
      } catch (error) {
        if (isPagevisorError(error, ctx.abi.protocol.prepNoMemoryErrno)) {
          starved[i] = 1;
          hungry++;
          continue;
        }
        // ENOENT: the gfn left the paging states (ballooned out; its DROP_PAGE follows).
        if (!isPagevisorError(error, 'ENOENT')) throw error;
        continue;
      }
      ctx.out[gfn] = 0;
      ctx.outCount--;
      ctx.policy.notifyPagedIn(gfn, true);
      if (config.pageEvents) ctx.events.next({ type: 'page.populated', gfn });
      loaded++;
    }
    ctx.counters.pagedIn += loaded;
    if (hungry === 0) {
      await store.deleteBatch(gfns, count);
    } else {
      // The starved pages stay in the store for the next try.
      let kept = 0;
      for (let i = 0; i < count; i++) if (starved[i] === 0) this.drops[kept++] = gfns[i]!;
      await store.deleteBatch(this.drops, kept);
    }
    return { loaded, starved: hungry };
  }

  /**
   * A fault on a gfn the pager nominated but never evicted (`EVICT_FAIL`: its frame is still there) is
   * ended by a prep without content, which makes the gfn `ram_rw` again (Xen 4.2+ `p2m_mem_paging_prep`
   * keeps an existing frame). The response alone does not always do it: since Xen commit 4481335590,
   * `vm_event_resume` skips `p2m_mem_paging_resume` unless the response's vcpu is vm_event-paused, and a
   * foreign populate's request carries vcpu 0 unpaused, so xenpaging's answer left the gfn `paging_in`
   * and the guest spinning on it for ever (found by the interleaving harness).
   */
  private recoverEvictFails(n: number): void {
    const { abi, hypervisor, config, out, maxPages } = this.ctx;
    if (abi.protocol.codeBase === '4.1') return; // 4.1 resumes any type; SUSE age 3 restores at populate
    for (let i = 0; i < n; i++) {
      const r = this.requests[i]!;
      if (r.gfn >= maxPages || out[r.gfn] === OUT || this.isDrop(r) || !this.isEvictFail(r)) continue;
      try {
        hypervisor.prep(config.domid, r.gfn);
      } catch (error) {
        // ENOENT: no longer paging (resumed already, ballooned out); nothing is left to recover.
        if (!isPagevisorError(error, 'ENOENT')) throw error;
      }
    }
  }

  /** Answers requests `0 … n)`: every request gets a response, so no ring slot is ever lost. */
  private answer(n: number): void {
    const { abi, pagerAbi, adapter, back, hypervisor, config } = this.ctx;
    for (let i = 0; i < n; i++) {
      const r = this.requests[i]!;
      const m = this.responses[i] ?? (this.responses[i] = pagerAbi.create());
      m.gfn = r.gfn;
      m.vcpuId = r.vcpuId;
      m.p2mt = r.p2mt;
      m.flags = r.flags;
      m.reason = r.reason;
      if ('type' in m) m.type = (r as typeof m).type;
      if ('pagingFlags' in m) {
        (m as VmEventMessage).pagingFlags = (r as VmEventMessage).pagingFlags;
        (m as VmEventMessage).version = Number(pagerAbi.generation);
      }
    }
    if (adapter === undefined) {
      back.pushResponses(abi, this.responses, n);
    } else {
      const wire = this.wireResponses;
      for (let i = 0; i < n; i++) wire[i] = adapter.toWire(this.responses[i]!);
      back.pushResponses(abi, wire, n);
    }
    // Xen 4.1 consumes one response per PAGING_RESUME domctl; 4.2+ all of them per notification.
    const calls = abi.protocol.resume === 'one-per-call' ? n : 1;
    for (let i = 0; i < calls; i++) hypervisor.resume(config.domid);
  }

  private isEvictFail(m: PagingMessage): boolean {
    return ((this.inPagingFlags ? (m as VmEventMessage).pagingFlags : m.flags) & this.evictFailBit) !== 0;
  }

  private isDrop(m: PagingMessage): boolean {
    return ((this.inPagingFlags ? (m as VmEventMessage).pagingFlags : m.flags) & this.dropBit) !== 0;
  }
}

/** Where `gfn` is among `gfns[0 … count)`, or -1 (a batch is at most one ring, 64 entries). */
function indexIn(gfns: Uint32Array, count: number, gfn: number): number {
  for (let i = 0; i < count; i++) if (gfns[i] === gfn) return i;
  return -1;
}

function versionMismatch(abiId: string, seen: number): AbiError {
  return new AbiError(
    'ABI_MISMATCH',
    `the ring carries vm_event interface version ${seen}, but the pager speaks ${abiId}: this Xen cannot announce its version (XEN_VM_EVENT_GET_VERSION is Xen 4.13 on), so name its ABI first in the pager's abi setting (vm_event/v${seen})`,
    { abi: abiId, field: 'version', offset: 0, value: seen },
  );
}
