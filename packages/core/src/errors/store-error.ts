import { PagevisorError, type PagevisorErrorOptions } from './pagevisor-error.js';

/**
 * Codes of errors from page stores (see {@link StoreError}).
 *
 * @example
 * ```ts
 * if (isPagevisorError(error, 'STORE_CORRUPT')) console.log('damaged page');
 * ```
 */
export type StoreErrorCode = 'STORE_MISSING' | 'STORE_IO' | 'STORE_CORRUPT' | 'STORE_CLOSED' | 'STORE_FORMAT' | 'STORE_ARGUMENT' | 'STORE_READ_ONLY';

/**
 * A page store failed: a gfn it does not hold (`STORE_MISSING`), an I/O error (`STORE_IO`), a checksum
 * that does not match (`STORE_CORRUPT`), use after close (`STORE_CLOSED`), a file of another format
 * (`STORE_FORMAT`), a call the contract does not allow: a gfn beyond the store's range, a record
 * longer than a page, a buffer too small (`STORE_ARGUMENT`), a write or delete on a store opened
 * read-only (`STORE_READ_ONLY`).
 *
 * @example
 * ```ts
 * try {
 *   await store.readBatch(Uint32Array.of(7), 1, page);
 * } catch (error) {
 *   if (isPagevisorError(error, 'STORE_MISSING')) console.log(`no page for gfn ${(error as StoreError).gfn}`);
 * }
 * ```
 */
export class StoreError extends PagevisorError {
  declare readonly code: StoreErrorCode;
  /** The gfn involved, if any. */
  readonly gfn: number | undefined;

  /**
   * @param code - the kind of failure
   * @param message - what failed, naming the store and the gfn
   * @param options - the gfn and the wrapped cause
   */
  constructor(code: StoreErrorCode, message: string, options: PagevisorErrorOptions & { readonly gfn?: number } = {}) {
    super(code, message, options);
    this.gfn = options.gfn;
  }
}
