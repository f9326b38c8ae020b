import type { PagingAbi } from '../abi/paging-abi.js';
import type { PagingMessage, PagingMessageInput } from '../abi/paging-message.js';
import { RingError } from '../errors/ring-error.js';
import { checkRoom, drainEntries, writeEntries, type ConsumingEnd } from '../internal/ring/ring-entries.js';
import { ringDistance, ringNotifyNeeded } from './ring-index.js';
import type { SharedRing } from './shared-ring.js';

/**
 * The front end of a paging ring: the hypervisor's side, which produces requests and consumes
 * responses (`FRONT_RING_INIT` / `FRONT_RING_ATTACH`).
 *
 * @remarks
 * A slot is freed only when its response is consumed (`RING_FREE_REQUESTS = size − (req_prod_pvt −
 * rsp_cons)`), so every request needs a response: the reason a one-way DROP_PAGE filled Xen 4.1's ring
 * (reference §7). Indexes are free-running 32-bit counters that wrap.
 *
 * @example
 * ```ts
 * import { FrontRing, SharedRing, VM_EVENT_V7 } from '@pagevisor/core';
 *
 * const front = new FrontRing(SharedRing.create(VM_EVENT_V7.entryBytes));
 * const notify = front.pushRequests(VM_EVENT_V7, [VM_EVENT_V7.create({ gfn: 42 })]);
 * ```
 */
export class FrontRing {
  /** The shared page. */
  readonly sring: SharedRing;
  /** `req_prod_pvt`: the next request index to write (published by {@link FrontRing.pushRequests}). */
  reqProdPvt: number;
  /** `rsp_cons`: the next response index to read. */
  rspCons: number;

  /** This end as the shared drain loop sees it. */
  private readonly consuming: ConsumingEnd;

  /**
   * @param sring - the shared page
   * @param attachAt - start both private indexes here (`FRONT_RING_ATTACH`); default 0 (`FRONT_RING_INIT`)
   */
  constructor(sring: SharedRing, attachAt = 0) {
    this.sring = sring;
    this.reqProdPvt = attachAt >>> 0;
    this.rspCons = attachAt >>> 0;
    const ring = this;
    this.consuming = {
      sring,
      get unconsumed() {
        return ring.unconsumedResponses;
      },
      get consumerIndex() {
        return ring.rspCons;
      },
      set consumerIndex(index: number) {
        ring.rspCons = index;
      },
      armEvent: () => {
        sring.rspEvent = (ring.rspCons + 1) >>> 0;
      },
    };
  }

  /** `RING_FREE_REQUESTS`: slots a new request may use. */
  get freeRequests(): number {
    return this.sring.slots - ringDistance(this.reqProdPvt, this.rspCons);
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
    const rspProd = this.sring.rspProd;
    const unconsumed = ringDistance(rspProd, this.rspCons);
    const outstanding = ringDistance(this.reqProdPvt, this.rspCons);
    if (unconsumed > outstanding) {
      throw new RingError(
        'RING_OVERFLOW',
        `rsp_prod ${rspProd} is ${unconsumed} ahead of rsp_cons ${this.rspCons}, but only ${outstanding} requests are outstanding`,
        { index: rspProd },
      );
    }
    return unconsumed;
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
  pushRequests<M extends PagingMessage>(abi: PagingAbi<M>, messages: readonly PagingMessageInput<M>[], count = messages.length): boolean {
    checkRoom(count, this.freeRequests, 'requests');
    writeEntries(this.sring, abi, messages, count, this.reqProdPvt);
    const old = this.sring.reqProd;
    this.reqProdPvt = (this.reqProdPvt + count) >>> 0;
    this.sring.reqProd = this.reqProdPvt;
    return ringNotifyNeeded(this.reqProdPvt, old, this.sring.reqEvent);
  }

  /**
   * Reads published responses into `out`, reusing the message objects already there, and frees their
   * slots. Stops at `max`; when the ring is empty it sets `rsp_event = rsp_cons + 1` and checks again
   * (`RING_FINAL_CHECK_FOR_RESPONSES`).
   *
   * @returns how many responses were read into `out[0 … n)`
   * @throws {@link RingError} `RING_BAD_ENTRY` (the bad entry is consumed; entries before it are returned
   * by the previous call, never lost) or `RING_OVERFLOW`.
   */
  consumeResponses<M extends PagingMessage>(abi: PagingAbi<M>, out: M[], max = Number.POSITIVE_INFINITY): number {
    return drainEntries(this.consuming, abi, out, max, 'response');
  }
}
