import type { PagingAbi } from '../../abi/paging-abi.js';
import type { PagingMessage, PagingMessageInput } from '../../abi/paging-message.js';
import { isPagevisorError } from '../../errors/pagevisor-error.js';
import { RingError } from '../../errors/ring-error.js';
import type { SharedRing } from '../../ring/shared-ring.js';

/**
 * Encodes `count` messages into the slots of ring indexes `start`, `start + 1`, ... It publishes
 * nothing: an encode error leaves only unpublished slots behind.
 */
export function writeEntries<M extends PagingMessage>(
  sring: SharedRing,
  abi: PagingAbi<M>,
  messages: readonly PagingMessageInput<M>[],
  count: number,
  start: number,
): void {
  const view = sring.view;
  for (let i = 0; i < count; i++) abi.encode(messages[i]!, view, sring.slotOffset(start + i));
}

/** The consuming half of a ring end, as {@link drainEntries} sees it. */
export interface ConsumingEnd {
  readonly sring: SharedRing;
  /** Entries published and not yet consumed (throws `RING_OVERFLOW` for a corrupt producer index). */
  readonly unconsumed: number;
  /** The index of the next entry to consume (`req_cons` or `rsp_cons`). */
  consumerIndex: number;
  /** Asks the producer to notify at the next entry (`req_event` / `rsp_event` = consumer index + 1). */
  armEvent(): void;
}

/**
 * Reads published entries into `out` (reusing its objects) up to `max`, then on an empty ring arms the
 * event index and checks once more (`RING_FINAL_CHECK_FOR_*`). A bad entry at the head of the batch is
 * consumed and thrown; a bad entry after good ones ends the batch and is thrown by the next call.
 */
export function drainEntries<M extends PagingMessage>(
  end: ConsumingEnd,
  abi: PagingAbi<M>,
  out: M[],
  max: number,
  what: 'request' | 'response',
): number {
  let n = 0;
  for (;;) {
    let available = end.unconsumed;
    if (available === 0) {
      end.armEvent();
      available = end.unconsumed;
      if (available === 0) return n;
    }
    for (; available > 0; available--) {
      if (n >= max) return n;
      const index = end.consumerIndex;
      try {
        readEntry(end.sring, abi, index, out[n] ?? (out[n] = abi.create()), what);
      } catch (error) {
        if (n > 0) return n;
        end.consumerIndex = (index + 1) >>> 0;
        throw error;
      }
      end.consumerIndex = (index + 1) >>> 0;
      n++;
    }
  }
}

/**
 * Decodes the entry at ring index `index` into `target`, turning a decode failure into a
 * `RING_BAD_ENTRY` error that names the index and the slot.
 */
function readEntry<M extends PagingMessage>(
  sring: SharedRing,
  abi: PagingAbi<M>,
  index: number,
  target: M,
  what: 'request' | 'response',
): void {
  const offset = sring.slotOffset(index);
  try {
    abi.decodeInto(sring.view, offset, target);
  } catch (error) {
    if (!isPagevisorError(error)) throw error;
    const slot = (index & (sring.slots - 1)).toString();
    throw new RingError('RING_BAD_ENTRY', `${what} at ring index ${index} (slot ${slot}) is not a valid ${abi.id} entry: ${error.message}`, {
      cause: error,
      index,
    });
  }
}

/** Checks that a batch of `count` entries fits `room` free slots before anything is written. */
export function checkRoom(count: number, room: number, what: string): void {
  if (Number.isInteger(count) && count >= 0 && count <= room) return;
  throw new RingError('RING_FULL', `cannot push ${count} ${what}: ${room} free`);
}
