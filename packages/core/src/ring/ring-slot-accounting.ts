import type { PagingAbi } from '../abi/paging-abi.js';
import type { PagingMessage } from '../abi/paging-message.js';
import { RingError } from '../errors/ring-error.js';
import type { FrontRing } from './front-ring.js';

/**
 * Who claims a request slot: the guest itself (`target`) or another domain (`foreign`).
 *
 * @example
 * ```ts
 * accounting.tryClaim('foreign' satisfies RingProducer);
 * ```
 */
export type RingProducer = 'target' | 'foreign';

/**
 * Xen 4.2+ request-slot accounting on the front end (`mem_event_claim_slot`, `mem_event_cancel_slot`,
 * `mem_event_put_request`; the same logic lives in `vm_event.c`), from 3643a96119.
 *
 * @remarks
 * A producer claims a slot before it changes the p2m, and every claim ends in exactly one
 * {@link RingSlotAccounting.putRequest} or {@link RingSlotAccounting.cancel}. `available` is the free
 * requests minus the claims outstanding, so claimed slots are never handed out twice. Waking sleepers
 * and the "black-eye" pause (`available < max_vcpus`) are the hypervisor's policy on top of this count.
 *
 * @example
 * ```ts
 * import { FrontRing, RingSlotAccounting, SharedRing, VM_EVENT_V7 } from '@pagevisor/core';
 *
 * const slots = new RingSlotAccounting(new FrontRing(SharedRing.create(VM_EVENT_V7.entryBytes)));
 * if (slots.tryClaim('foreign')) {
 *   slots.putRequest('foreign', VM_EVENT_V7, VM_EVENT_V7.create({ gfn: 7, flags: 2 }));
 * } // else: Xen returns -EBUSY; a foreign producer never waits
 * ```
 */
export class RingSlotAccounting {
  /** The ring whose request slots are counted. */
  readonly front: FrontRing;
  /** `target_producers`: claims outstanding by the guest's own vcpus. */
  targetProducers = 0;
  /** `foreign_producers`: claims outstanding by other domains. */
  foreignProducers = 0;

  /** @param front - the front end of the ring */
  constructor(front: FrontRing) {
    this.front = front;
  }

  /** `RING_FREE_REQUESTS − target_producers − foreign_producers`: slots a new claim may take. */
  get available(): number {
    return this.front.freeRequests - this.targetProducers - this.foreignProducers;
  }

  /**
   * `mem_event_grab_slot`: takes a slot if one is available.
   *
   * @returns false when none is (Xen's `-EBUSY`; a guest vcpu then sleeps on the wait queue)
   */
  tryClaim(producer: RingProducer): boolean {
    if (this.available <= 0) return false;
    if (producer === 'target') this.targetProducers++;
    else this.foreignProducers++;
    return true;
  }

  /**
   * `mem_event_cancel_slot`: gives back a claimed slot without sending a request.
   *
   * @throws {@link RingError} `RING_SLOT` when `producer` holds no claim.
   */
  cancel(producer: RingProducer): void {
    this.release(producer, 'cancel');
  }

  /**
   * `mem_event_put_request`: writes and publishes the request in the claimed slot, then releases the
   * claim.
   *
   * @returns whether the back end asked to be notified
   * @throws {@link RingError} `RING_SLOT` when `producer` holds no claim; {@link AbiError} when the
   * message cannot be encoded (the claim is then kept, to be cancelled).
   */
  putRequest<M extends PagingMessage>(producer: RingProducer, abi: PagingAbi<M>, message: M): boolean {
    this.checkClaim(producer, 'put a request');
    const notify = this.front.pushRequests(abi, [message]);
    this.release(producer, 'put a request');
    return notify;
  }

  private release(producer: RingProducer, action: string): void {
    this.checkClaim(producer, action);
    if (producer === 'target') this.targetProducers--;
    else this.foreignProducers--;
  }

  private checkClaim(producer: RingProducer, action: string): void {
    const held = producer === 'target' ? this.targetProducers : this.foreignProducers;
    if (held === 0) throw new RingError('RING_SLOT', `cannot ${action}: no ${producer} slot is claimed`);
  }
}
