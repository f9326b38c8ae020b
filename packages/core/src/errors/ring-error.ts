import { PagevisorError, type PagevisorErrorOptions } from './pagevisor-error.js';

/**
 * Codes of {@link RingError}.
 *
 * - `RING_BUFFER`: the buffer is not one 4096-byte page, or the entry size gives no slot.
 * - `RING_FULL`: more entries pushed than the ring has free slots.
 * - `RING_OVERFLOW`: the other side's producer index is further ahead than the ring can hold
 *   (a corrupt or hostile peer; `RING_REQUEST_PROD_OVERFLOW` in `io/ring.h`).
 * - `RING_SLOT`: slot accounting misuse (a cancel or put with no claim outstanding).
 * - `RING_BAD_ENTRY`: an entry on the ring does not decode; the entry is consumed (so the ring keeps
 *   moving) and the {@link AbiError} that explains it is the `cause`.
 *
 * @example
 * ```ts
 * if (isPagevisorError(error, 'RING_BAD_ENTRY')) console.log(error.message);
 * ```
 */
export type RingErrorCode = 'RING_BUFFER' | 'RING_FULL' | 'RING_OVERFLOW' | 'RING_SLOT' | 'RING_BAD_ENTRY';

/**
 * Options of a {@link RingError}.
 *
 * @example
 * ```ts
 * throw new RingError('RING_OVERFLOW', 'producer index too far ahead', { index: 4097 });
 * ```
 */
export interface RingErrorOptions extends PagevisorErrorOptions {
  /** The free-running ring index of the entry involved, when there is one. */
  readonly index?: number;
}

/**
 * A shared-ring operation that would break the ring's invariants.
 *
 * @example
 * ```ts
 * import { isPagevisorError } from '@pagevisor/core';
 *
 * try {
 *   back.drainRequests(abi, out);
 * } catch (e) {
 *   if (isPagevisorError(e, 'RING_OVERFLOW')) crashDomain();
 * }
 * ```
 */
export class RingError extends PagevisorError {
  declare readonly code: RingErrorCode;
  /** The free-running ring index of the entry involved, if any. */
  readonly index: number | undefined;

  /**
   * @param code - the kind of failure
   * @param message - what failed, naming the indexes involved
   * @param options - the wrapped cause and the ring index, if any
   */
  constructor(code: RingErrorCode, message: string, options?: RingErrorOptions) {
    super(code, message, options);
    this.index = options?.index;
  }
}
