/**
 * Bytes in a page: every page the engine, the stores, the ring and the backends handle is 4 KiB.
 *
 * @example
 * ```ts
 * const batch = new Uint8Array(64 * PAGE_BYTES);
 * ```
 */
export const PAGE_BYTES = 4096;
