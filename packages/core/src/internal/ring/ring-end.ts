import type { PagingAbi } from '../../abi/paging-abi.js';
import type { PagingMessage } from '../../abi/paging-message.js';
import { isPagevisorError } from '../../errors/is-pagevisor-error.js';
import { RingError } from '../../errors/ring-error.js';
import { ringDistance, ringNotifyNeeded } from '../../ring/ring-index.js';
import type { RingHeaderWord, SharedRing } from '../../ring/shared-ring.js';

/**
 * What the front and back ends share: one side produces entries of one kind (requests or responses)
 * into slots and consumes entries of the other kind. The subclass says which header words are its
 * producer and event indexes and how much it may produce or consume.
 */
export abstract class RingEnd {
  /** The shared page. */
  readonly sring: SharedRing;
  /** Private producer index (`req_prod_pvt` / `rsp_prod_pvt`). */
  protected producerPvt: number;
  /** Consumer index (`rsp_cons` / `req_cons`). */
  protected consumer: number;

  constructor(
    sring: SharedRing,
    attachAt: number,
    private readonly producedWord: RingHeaderWord,
    private readonly peerEventWord: RingHeaderWord,
    private readonly ownEventWord: RingHeaderWord,
    private readonly consumedWhat: 'request' | 'response',
  ) {
    this.sring = sring;
    this.producerPvt = attachAt >>> 0;
    this.consumer = attachAt >>> 0;
  }

  /** Entries published by the peer and not yet consumed. */
  protected abstract unconsumed(): number;
  /** Entries this end may produce now. */
  protected abstract room(): number;

  /** Encodes `count` messages into the next slots and publishes them; true if the peer wants a notification. */
  protected push<M extends PagingMessage>(abi: PagingAbi<M>, messages: readonly M[], count: number, what: string): boolean {
    const room = this.room();
    if (!(Number.isInteger(count) && count >= 0 && count <= room)) {
      throw new RingError('RING_FULL', `cannot push ${count} ${what}: ${room} free`);
    }
    const sring = this.sring;
    const start = this.producerPvt;
    // An encode error leaves only unpublished slots behind: the index below is not advanced.
    for (let i = 0; i < count; i++) abi.encode(messages[i]!, sring.slotView(start + i), 0);
    const old = sring.load(this.producedWord);
    const next = (start + count) >>> 0;
    this.producerPvt = next;
    sring.store(this.producedWord, next);
    return ringNotifyNeeded(next, old, sring.load(this.peerEventWord));
  }

  /**
   * Reads published entries into `out` (reusing its objects) up to `max`; on an empty ring it arms the
   * event index and checks once more (`RING_FINAL_CHECK_FOR_*`). A bad entry at the head of the batch is
   * consumed and thrown; a bad entry after good ones ends the batch and is thrown by the next call.
   */
  protected drain<M extends PagingMessage>(abi: PagingAbi<M>, out: M[], max: number, keepOpaque: boolean): number {
    const sring = this.sring;
    let n = 0;
    for (;;) {
      let available = this.unconsumed();
      if (available === 0) {
        sring.store(this.ownEventWord, (this.consumer + 1) >>> 0);
        available = this.unconsumed();
        if (available === 0) return n;
      }
      for (; available > 0; available--) {
        if (n >= max) return n;
        const index = this.consumer;
        const target = out[n] ?? (out[n] = abi.create());
        try {
          abi.decodeInto(sring.slotView(index), 0, target, keepOpaque);
        } catch (error) {
          if (n > 0) return n;
          this.consumer = (index + 1) >>> 0;
          throw this.badEntry(abi, index, error);
        }
        this.consumer = (index + 1) >>> 0;
        n++;
      }
    }
  }

  /** Distance the peer's published producer index `word` runs ahead of this end's consumer. */
  protected published(word: RingHeaderWord): number {
    return ringDistance(this.sring.load(word), this.consumer);
  }

  private badEntry(abi: PagingAbi, index: number, error: unknown): unknown {
    if (!isPagevisorError(error)) return error;
    const slot = index & (this.sring.slots - 1);
    return new RingError(
      'RING_BAD_ENTRY',
      `${this.consumedWhat} at ring index ${index} (slot ${slot}) is not a valid ${abi.id} entry: ${error.message}`,
      { cause: error, index },
    );
  }
}
