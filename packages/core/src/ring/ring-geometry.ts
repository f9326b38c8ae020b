import { RingError } from '../errors/ring-error.js';
import { PAGE_BYTES } from '../page-bytes.js';

/**
 * Bytes in the one page a paging ring occupies (`XC_PAGE_SIZE`).
 *
 * @example
 * ```ts
 * const ring = new SharedRing(new SharedArrayBuffer(RING_PAGE_BYTES), abi.entryBytes);
 * ```
 */
export const RING_PAGE_BYTES = PAGE_BYTES;
/**
 * Bytes of the `io/ring.h` shared-ring header: four indexes, then padding.
 *
 * @example
 * ```ts
 * const slots = Math.floor((RING_PAGE_BYTES - RING_HEADER_BYTES) / abi.entryBytes);
 * ```
 */
export const RING_HEADER_BYTES = 64;

/**
 * Slots in a one-page ring of `entryBytes`-long entries: `__RD32((4096 − 64) / entryBytes)`, the
 * largest power of two not above the quotient (`__CONST_RING_SIZE` in `io/ring.h`).
 *
 * @param entryBytes - size of one request/response entry
 * @returns 64 for the 40-byte mem_event entries, 8 for every vm_event entry
 * @throws {@link RingError} `RING_BUFFER` when not even one entry fits
 *
 * @example
 * ```ts
 * ringSlotsFor(40);  // 64
 * ringSlotsFor(400); // 8
 * ```
 */
export function ringSlotsFor(entryBytes: number): number {
  const fit = Math.floor((RING_PAGE_BYTES - RING_HEADER_BYTES) / entryBytes);
  if (!Number.isInteger(entryBytes) || entryBytes <= 0 || fit < 1) {
    throw new RingError('RING_BUFFER', `an entry of ${entryBytes} bytes does not fit a ${RING_PAGE_BYTES}-byte ring page`);
  }
  return 2 ** Math.floor(Math.log2(fit));
}
