import type { ForeignMapping } from '../../hypervisor/hypervisor-port.js';
import { OUT, PAGE_BYTES, isRefusal, type PagerContext } from './pager-context.js';
import type { EvictFailReason } from '../../pager/pager-events.js';

/**
 * The eviction half of the pager: the policy picks a batch, the pager nominates all of it, copies the
 * pages, writes them to the store once and flushes, then evicts (xenpaging's `evict_pages` and
 * `xenpaging_evict_page`, batched as seed 001's thread asked).
 */
export class Eviction {
  private readonly victims: Uint32Array;
  private readonly gfns: Uint32Array;
  private readonly pages: Uint8Array;
  private readonly refused: Uint32Array;
  /** The frame each nominated page was copied from. */
  private readonly mfns: Int32Array;

  constructor(private readonly ctx: PagerContext) {
    const batch = ctx.config.batchSize;
    this.victims = new Uint32Array(batch);
    this.gfns = new Uint32Array(batch);
    this.pages = new Uint8Array(batch * PAGE_BYTES);
    this.refused = new Uint32Array(batch);
    this.mfns = new Int32Array(batch);
  }

  /**
   * Evicts until the domain is at `target`; returns false when it stopped short (the policy had
   * nothing, or a batch evicted nothing) so the caller retries later instead of spinning.
   */
  async towardTarget(target: number): Promise<boolean> {
    const { hypervisor, config, policy } = this.ctx;
    for (;;) {
      const excess = hypervisor.domainInfo(config.domid).totPages - target;
      if (excess <= 0) return true;
      const chosen = policy.chooseVictims(Math.min(excess, config.batchSize), this.victims);
      if (chosen === 0 || (await this.batch(chosen)) === 0) return false;
    }
  }

  /** Nominate, copy, one store write and flush, evict: returns how many pages went out. */
  private async batch(chosen: number): Promise<number> {
    const ctx = this.ctx;
    const { hypervisor, config, policy, store } = ctx;
    const domid = config.domid;
    const mapFirst = ctx.abi.protocol.nominateRefs === 2;
    const { gfns, pages } = this;
    let nominated = 0;
    let failed = 0;
    for (let i = 0; i < chosen; i++) {
      const gfn = this.victims[i]!;
      let mapping: ForeignMapping | undefined;
      try {
        // Paging age 2 and SUSE age 3 (seed 001): the pager's mapping is the second reference nominate needs.
        if (mapFirst) mapping = hypervisor.mapForeign(domid, gfn, false);
        hypervisor.nominate(domid, gfn);
        mapping ??= hypervisor.mapForeign(domid, gfn, false);
      } catch (error) {
        if (mapping !== undefined) hypervisor.unmapForeign(mapping);
        if (!isRefusal(error)) throw error;
        this.failed(gfn, 'nominate');
        failed++;
        continue;
      }
      pages.set(mapping.bytes, nominated * PAGE_BYTES);
      this.mfns[nominated] = mapping.mfn;
      hypervisor.unmapForeign(mapping);
      gfns[nominated++] = gfn;
    }
    if (nominated === 0) {
      ctx.events.next({ type: 'evict.batch', evicted: 0, failed });
      return 0;
    }
    try {
      await store.writeBatch(gfns, pages, nominated);
      // The guest's copy goes only once the store's is durable (a no-op for the memory store).
      await store.flush();
    } catch (error) {
      // The pages stay resident (nominated: a guest touch brings them back with EVICT_FAIL).
      ctx.counters.storeWriteErrors += nominated;
      for (let i = 0; i < nominated; i++) this.failed(gfns[i]!, 'store');
      ctx.events.next({ type: 'store.write-failed', pages: nominated, error });
      return 0;
    }
    let evicted = 0;
    let refused = 0;
    for (let i = 0; i < nominated; i++) {
      const gfn = gfns[i]!;
      // Seed 003: a page the guest touched since its nomination is not evicted (the policy says so).
      if (policy.confirmEviction?.(gfn) === false) {
        this.failed(gfn, 'accessed');
        this.refused[refused++] = gfn;
        failed++;
        continue;
      }
      // Xen 4.1's evict frees the frame unscrubbed: clear it first, as 4.1's xenpaging_evict_page did
      // (memset through a writable mapping), so the guest's data never reaches a free frame.
      const scrub = !ctx.abi.protocol.evictScrubs;
      const copy = pages.subarray(i * PAGE_BYTES, (i + 1) * PAGE_BYTES);
      if (scrub && !this.clearIfUnchanged(gfn, this.mfns[i]!, copy)) {
        // Not the page it nominated any more (ballooned out and in, or gone): evict would refuse it.
        this.failed(gfn, 'evict');
        this.refused[refused++] = gfn;
        failed++;
        continue;
      }
      try {
        hypervisor.evict(domid, gfn);
      } catch (error) {
        if (!isRefusal(error)) throw error;
        // The page stays, and it is the one copied (checked just now): give it its content back.
        if (scrub) this.overwrite(gfn, copy);
        // EBUSY: mapped or populated since nomination; the page stays and its copy leaves the store.
        this.failed(gfn, 'evict');
        this.refused[refused++] = gfn;
        failed++;
        continue;
      }
      ctx.out[gfn] = OUT;
      ctx.outCount++;
      policy.notifyPagedOut(gfn);
      if (config.pageEvents) ctx.events.next({ type: 'page.evicted', gfn });
      evicted++;
    }
    if (refused > 0) await store.deleteBatch(this.refused, refused);
    ctx.counters.evictions += evicted;
    ctx.events.next({ type: 'evict.batch', evicted, failed });
    return evicted;
  }

  /**
   * Zeroes a nominated page through a writable mapping if it is still the one copied: the same frame,
   * the same bytes (the gfn may have been ballooned out and back in during the store write, and that
   * new page must not be touched). False when it is not, or cannot be mapped.
   */
  private clearIfUnchanged(gfn: number, mfn: number, copy: Uint8Array): boolean {
    const { hypervisor, config } = this.ctx;
    let mapping: ForeignMapping;
    try {
      mapping = hypervisor.mapForeign(config.domid, gfn, true);
    } catch (error) {
      if (isRefusal(error)) return false;
      throw error;
    }
    const same = mapping.mfn === mfn && samePage(mapping.bytes, copy);
    if (same) mapping.bytes.fill(0);
    hypervisor.unmapForeign(mapping);
    return same;
  }

  /** Writes `content` back into a page {@link Eviction.clearIfUnchanged} zeroed. */
  private overwrite(gfn: number, content: Uint8Array): void {
    const { hypervisor, config } = this.ctx;
    const mapping = hypervisor.mapForeign(config.domid, gfn, true);
    mapping.bytes.set(content);
    hypervisor.unmapForeign(mapping);
  }

  private failed(gfn: number, reason: EvictFailReason): void {
    this.ctx.counters.evictFails++;
    this.ctx.counters.evictFailReasons[reason]++;
    this.ctx.policy.notifyNominationFailed(gfn);
    if (this.ctx.config.pageEvents) this.ctx.events.next({ type: 'evict.failed', gfn, reason });
  }
}

/** Whether two 4 KiB pages hold the same bytes (compared a word at a time where both are aligned). */
function samePage(a: Uint8Array, b: Uint8Array): boolean {
  if ((a.byteOffset & 3) === 0 && (b.byteOffset & 3) === 0) {
    const wa = new Int32Array(a.buffer, a.byteOffset, PAGE_BYTES >> 2);
    const wb = new Int32Array(b.buffer, b.byteOffset, PAGE_BYTES >> 2);
    for (let i = 0; i < wa.length; i++) if (wa[i] !== wb[i]) return false;
    return true;
  }
  for (let i = 0; i < PAGE_BYTES; i++) if (a[i] !== b[i]) return false;
  return true;
}
