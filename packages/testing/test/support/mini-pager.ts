import { BackRing, isPagevisorError, type PagingAbi, type PagingChannel, type PagingMessage, type VmEventMessage, xen } from '@pagevisor/core';
import type { SimHypervisor } from '@pagevisor/testing';

const { MEM_EVENT_FLAG_DROP_PAGE, MEM_EVENT_FLAG_EVICT_FAIL, MEM_EVENT_FLAG_VCPU_PAUSED, MEM_PAGING_DROP_PAGE, MEM_PAGING_EVICT_FAIL, VM_EVENT_FLAG_VCPU_PAUSED } = xen;

/**
 * The smallest pager that follows xenpaging's protocol, for testing the simulator (the real pager lives
 * in @pagevisor/core). It keeps evicted pages in a Map and answers every request; `answerDrops: false`
 * reproduces the 4.1.0 pager that left DROP_PAGE unanswered.
 */
export class MiniPager {
  readonly channel: PagingChannel;
  readonly abi: PagingAbi;
  readonly store = new Map<number, Uint8Array>();
  private readonly back: BackRing;
  private readonly batch: PagingMessage[] = [];

  constructor(
    private readonly hv: SimHypervisor,
    readonly domid: number,
    abiId: string,
    private readonly options: { answerDrops: boolean } = { answerDrops: true },
  ) {
    this.channel = hv.enablePaging(domid, abiId);
    this.abi = hv.domain(domid).paging!.abi;
    this.back = new BackRing(this.channel.ring);
  }

  /** Pages one gfn out the way xenpaging did for this age; returns false when Xen refused. */
  pageOut(gfn: number): boolean {
    const { hv, domid } = this;
    const mapFirst = this.abi.protocol.nominateRefs === 2;
    let mapping = mapFirst ? this.tryMap(gfn) : undefined;
    if (mapFirst && mapping === undefined) return false;
    try {
      hv.nominate(domid, gfn);
    } catch (error) {
      if (mapping !== undefined) hv.unmapForeign(mapping);
      if (isPagevisorError(error, 'EBUSY') || isPagevisorError(error, 'EAGAIN')) return false;
      throw error;
    }
    mapping ??= hv.mapForeign(domid, gfn, false);
    this.store.set(gfn, mapping.bytes.slice());
    hv.unmapForeign(mapping);
    try {
      hv.evict(domid, gfn);
    } catch (error) {
      if (!isPagevisorError(error, 'EBUSY')) throw error;
      this.store.delete(gfn);
      return false;
    }
    return true;
  }

  /** Handles every pending request like xenpaging's main loop; returns how many it read. */
  service(): number {
    const { hv, domid, abi } = this;
    let total = 0;
    for (;;) {
      const n = this.back.drainRequests(abi, this.batch);
      if (n === 0) break;
      total += n;
      const responses: PagingMessage[] = [];
      for (let i = 0; i < n; i++) {
        const request = this.batch[i]!;
        const vm = abi.family === 'vm_event';
        const drop = vm ? ((request as VmEventMessage).pagingFlags & MEM_PAGING_DROP_PAGE) !== 0 : (request.flags & MEM_EVENT_FLAG_DROP_PAGE) !== 0;
        const evictFail = vm ? ((request as VmEventMessage).pagingFlags & MEM_PAGING_EVICT_FAIL) !== 0 : (request.flags & MEM_EVENT_FLAG_EVICT_FAIL) !== 0;
        const paused = (request.flags & (vm ? VM_EVENT_FLAG_VCPU_PAUSED : MEM_EVENT_FLAG_VCPU_PAUSED)) !== 0;
        let answer = true;
        if (drop) {
          this.store.delete(request.gfn);
          answer = this.options.answerDrops;
        } else if (this.store.has(request.gfn)) {
          // ENOENT: the gfn left the paging states meanwhile (ballooned out; its DROP_PAGE follows).
          if (!this.pageIn(request.gfn)) answer = paused || evictFail;
        } else {
          answer = paused || evictFail || abi.protocol.oneRequestPerGfn; // "page already populated"
        }
        if (answer) responses.push(this.response(request));
      }
      if (responses.length > 0) {
        this.back.pushResponses(abi, responses);
        // 4.1: one PAGING_RESUME domctl per response; 4.2+: one notification consumes them all.
        const calls = abi.protocol.resume === 'one-per-call' ? responses.length : 1;
        for (let i = 0; i < calls; i++) hv.resume(domid);
      }
    }
    return total;
  }

  private pageIn(gfn: number): boolean {
    const { hv, domid } = this;
    const bytes = this.store.get(gfn)!;
    try {
      hv.prep(domid, gfn, this.abi.protocol.prepLoadsBuffer ? bytes : undefined);
    } catch (error) {
      if (isPagevisorError(error, 'ENOENT')) return false;
      throw error;
    }
    if (!this.abi.protocol.prepLoadsBuffer) {
      const mapping = hv.mapForeign(domid, gfn, true);
      mapping.bytes.set(bytes);
      hv.unmapForeign(mapping);
    }
    this.store.delete(gfn);
    return true;
  }

  private response(request: PagingMessage): PagingMessage {
    const response = this.abi.create({ ...request, opaque: undefined });
    if ('version' in response) response.version = Number(this.abi.generation);
    return response;
  }

  private tryMap(gfn: number) {
    try {
      return this.hv.mapForeign(this.domid, gfn, false);
    } catch (error) {
      if (isPagevisorError(error, 'ENOENT') || isPagevisorError(error, 'EINVAL')) return undefined;
      throw error;
    }
  }
}
