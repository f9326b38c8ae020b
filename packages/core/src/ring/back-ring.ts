import type { PagingAbi } from '../abi/paging-abi.js';
import type { PagingMessage } from '../abi/paging-message.js';
import { RingError } from '../errors/ring-error.js';
import { RingEnd } from '../internal/ring/ring-end.js';
import { ringDistance } from './ring-index.js';
import { REQ_EVENT, REQ_PROD, RSP_EVENT, RSP_PROD, type SharedRing } from './shared-ring.js';

/**
 * The back end of a paging ring: the pager's side, which consumes requests and produces responses
 * (`BACK_RING_INIT` / `BACK_RING_ATTACH`).
 *
 * @remarks
 * Each response reuses the slot of a request already consumed, so at most
 * {@link BackRing.pendingResponses} responses can be pushed. Requests come from the hypervisor and are
 * untrusted: an index that runs further ahead than the ring holds is `RING_OVERFLOW`, an entry that does
 * not decode is `RING_BAD_ENTRY`.
 *
 * @example
 * ```ts
 * import { BackRing, SharedRing, VM_EVENT_V7, type VmEventMessage } from '@pagevisor/core';
 *
 * const back = new BackRing(new SharedRing(page, VM_EVENT_V7.entryBytes));
 * const batch: VmEventMessage[] = [];
 * const n = back.drainRequests(VM_EVENT_V7, batch);
 * back.pushResponses(VM_EVENT_V7, batch, n);
 * ```
 */
export class BackRing extends RingEnd {
  /**
   * @param sring - the shared page
   * @param attachAt - start both private indexes here (`BACK_RING_ATTACH`); default 0 (`BACK_RING_INIT`)
   */
  constructor(sring: SharedRing, attachAt = 0) {
    super(sring, attachAt, RSP_PROD, RSP_EVENT, REQ_EVENT, 'request');
  }

  /** `rsp_prod_pvt`: the next response index to write (published by {@link BackRing.pushResponses}). */
  get rspProdPvt(): number {
    return this.producerPvt;
  }

  /** `req_cons`: the next request index to read. */
  get reqCons(): number {
    return this.consumer;
  }

  /**
   * `RING_HAS_UNCONSUMED_REQUESTS`: `min(req_prod − req_cons, size − (req_cons − rsp_prod_pvt))`.
   *
   * @throws {@link RingError} `RING_OVERFLOW` when `req_prod` is more than a ring ahead of `req_cons`
   * (`RING_REQUEST_PROD_OVERFLOW`).
   */
  get unconsumedRequests(): number {
    return this.unconsumed();
  }

  /** Requests consumed and not yet answered: the responses that may be pushed now. */
  get pendingResponses(): number {
    return ringDistance(this.consumer, this.producerPvt);
  }

  /**
   * Reads published requests into `out`, reusing the message objects already there. Stops at `max`;
   * when the ring is empty it sets `req_event = req_cons + 1` and checks again
   * (`RING_FINAL_CHECK_FOR_REQUESTS`), so a request published meanwhile is not missed.
   *
   * @param abi - the codec of the ring's ABI
   * @param out - message objects to decode into (grown as needed, reused across calls)
   * @param max - read at most this many
   * @param keepOpaque - also copy the uninterpreted bytes (default true; see {@link PagingAbi.decodeInto})
   * @returns how many requests were read into `out[0 … n)`
   * @throws {@link RingError} `RING_BAD_ENTRY` (the bad entry is consumed and still owes a response;
   * entries before it are returned by the previous call, never lost) or `RING_OVERFLOW`.
   */
  drainRequests<M extends PagingMessage>(abi: PagingAbi<M>, out: M[], max = Number.POSITIVE_INFINITY, keepOpaque = true): number {
    return this.drain(abi, out, max, keepOpaque);
  }

  /**
   * Writes `count` responses into the slots of consumed requests and publishes them
   * (`RING_PUSH_RESPONSES_AND_CHECK_NOTIFY`).
   *
   * @returns whether the front end asked to be notified (its `rsp_event` was passed)
   * @throws {@link RingError} `RING_FULL` when fewer than `count` requests await a response;
   * {@link AbiError} when a message cannot be encoded. Nothing is published when it throws.
   */
  pushResponses<M extends PagingMessage>(abi: PagingAbi<M>, messages: readonly M[], count = messages.length): boolean {
    return this.push(abi, messages, count, 'responses');
  }

  protected unconsumed(): number {
    const published = this.published(REQ_PROD);
    const slots = this.sring.slots;
    if (published > slots) {
      throw new RingError(
        'RING_OVERFLOW',
        `req_prod ${this.sring.reqProd} is ${published} ahead of req_cons ${this.consumer} on a ring of ${slots} slots`,
        { index: this.sring.reqProd },
      );
    }
    return Math.min(published, slots - this.pendingResponses);
  }

  protected room(): number {
    return this.pendingResponses;
  }
}
