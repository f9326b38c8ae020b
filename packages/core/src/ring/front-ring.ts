import type { PagingAbi } from '../abi/paging-abi.js';
import type { PagingMessage } from '../abi/paging-message.js';
import { RingError } from '../errors/ring-error.js';
import { RingEnd } from '../internal/ring/ring-end.js';
import { ringDistance } from './ring-index.js';
import { REQ_EVENT, REQ_PROD, RSP_EVENT, RSP_PROD, type SharedRing } from './shared-ring.js';

/**
 * The front end of a paging ring: the hypervisor's side, which produces requests and consumes
 * responses (`FRONT_RING_INIT` / `FRONT_RING_ATTACH`).
 *
 * @remarks
 * A slot is freed only when its response is consumed (`RING_FREE_REQUESTS = size − (req_prod_pvt −
 * rsp_cons)`), so every request needs a response: the reason a one-way DROP_PAGE filled Xen 4.1's ring
 * (Xen `xen/include/public/io/ring.h`). Indexes are free-running 32-bit counters that wrap.
 *
 * @example
 * ```ts
 * import { FrontRing, SharedRing, VM_EVENT_V7 } from '@pagevisor/core';
 *
 * const front = new FrontRing(SharedRing.create(VM_EVENT_V7.entryBytes));
 * const notify = front.pushRequests(VM_EVENT_V7, [VM_EVENT_V7.create({ gfn: 42 })]);
 * ```
 */
export class FrontRing extends RingEnd {
  /**
   * @param sring - the shared page
   * @param attachAt - start both private indexes here (`FRONT_RING_ATTACH`); default 0 (`FRONT_RING_INIT`)
   */
  constructor(sring: SharedRing, attachAt = 0) {
    super(sring, attachAt, REQ_PROD, REQ_EVENT, RSP_EVENT, 'response');
  }

  /** `req_prod_pvt`: the next request index to write (published by {@link FrontRing.pushRequests}). */
  get reqProdPvt(): number {
    return this.producerPvt;
  }

  /** `rsp_cons`: the next response index to read. */
  get rspCons(): number {
    return this.consumer;
  }

  /** `RING_FREE_REQUESTS`: slots a new request may use. */
  get freeRequests(): number {
    return this.sring.slots - ringDistance(this.producerPvt, this.consumer);
  }

  /** `RING_FULL`: no free request slot. */
  get full(): boolean {
    return this.freeRequests === 0;
  }

  /**
   * `RING_HAS_UNCONSUMED_RESPONSES`: responses published and not yet read.
   *
   * @throws {@link RingError} `RING_OVERFLOW` when `rsp_prod` claims more responses than requests were
   * sent (a corrupt or hostile back end).
   */
  get unconsumedResponses(): number {
    return this.unconsumed();
  }

  /**
   * Writes `count` requests into the next slots and publishes them (`RING_PUSH_REQUESTS_AND_CHECK_NOTIFY`).
   *
   * @param abi - the codec of the ring's ABI
   * @param messages - the requests
   * @param count - how many of `messages` to push (default all)
   * @returns whether the back end asked to be notified (its `req_event` was passed)
   * @throws {@link RingError} `RING_FULL` when fewer than `count` slots are free; {@link AbiError} when a
   * message cannot be encoded. Nothing is published when it throws.
   */
  pushRequests<M extends PagingMessage>(abi: PagingAbi<M>, messages: readonly M[], count = messages.length): boolean {
    return this.push(abi, messages, count, 'requests');
  }

  /**
   * Reads published responses into `out`, reusing the message objects already there, and frees their
   * slots. Stops at `max`; when the ring is empty it sets `rsp_event = rsp_cons + 1` and checks again
   * (`RING_FINAL_CHECK_FOR_RESPONSES`).
   *
   * @param abi - the codec of the ring's ABI
   * @param out - message objects to decode into (grown as needed, reused across calls)
   * @param max - read at most this many
   * @param keepOpaque - also copy the uninterpreted bytes (default true; see {@link PagingAbi.decodeInto})
   * @returns how many responses were read into `out[0 … n)`
   * @throws {@link RingError} `RING_BAD_ENTRY` (the bad entry is consumed; entries before it are returned
   * by the previous call, never lost) or `RING_OVERFLOW`.
   */
  consumeResponses<M extends PagingMessage>(abi: PagingAbi<M>, out: M[], max = Number.POSITIVE_INFINITY, keepOpaque = true): number {
    return this.drain(abi, out, max, keepOpaque);
  }

  protected unconsumed(): number {
    const unconsumed = this.published(RSP_PROD);
    const outstanding = ringDistance(this.producerPvt, this.consumer);
    if (unconsumed > outstanding) {
      throw new RingError(
        'RING_OVERFLOW',
        `rsp_prod ${this.sring.rspProd} is ${unconsumed} ahead of rsp_cons ${this.consumer}, but only ${outstanding} requests are outstanding`,
        { index: this.sring.rspProd },
      );
    }
    return unconsumed;
  }

  protected room(): number {
    return this.freeRequests;
  }
}
