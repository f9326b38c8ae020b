const BRAND: unique symbol = Symbol.for('@pagevisor/error');

/**
 * Options every Pagevisor error accepts.
 *
 * @example
 * ```ts
 * throw new StoreError('STORE_IO', 'disk gone', { cause: error });
 * ```
 */
export interface PagevisorErrorOptions {
  /** The error this one wraps, kept for diagnosis. */
  readonly cause?: unknown;
}

/**
 * The base class of every error Pagevisor throws.
 *
 * @remarks
 * Errors carry a stable machine-readable `code` (for example `ABI_BAD_FLAGS`) and a message that names
 * the thing and the value at fault. Test for them with {@link isPagevisorError} rather than
 * `instanceof`: the brand survives duplicated copies of `@pagevisor/core` in one process.
 *
 * @example
 * ```ts
 * import { isPagevisorError } from '@pagevisor/core';
 *
 * try {
 *   run();
 * } catch (e) {
 *   if (isPagevisorError(e, 'ABI_MISMATCH')) console.error(e.message);
 *   else throw e;
 * }
 * ```
 */
export class PagevisorError extends Error {
  /** Stable code naming the kind of failure. */
  readonly code: string;

  /**
   * @param code - stable code naming the kind of failure
   * @param message - what failed, naming the value and the limit it broke
   * @param options - the wrapped cause, if any
   */
  constructor(code: string, message: string, options?: PagevisorErrorOptions) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.name = new.target.name;
    // Non-enumerable, so the brand neither shows in logs nor leaks into JSON.
    Object.defineProperty(this, BRAND, { value: true });
  }
}

/**
 * Whether `value` carries the brand of a Pagevisor error (any copy of core), and the code if given.
 * Use {@link isPagevisorError}, which narrows by code.
 *
 * @internal
 */
export function hasPagevisorBrand(value: unknown, code?: string): value is PagevisorError {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as Record<symbol, unknown>)[BRAND] === true &&
    (code === undefined || (value as PagevisorError).code === code)
  );
}
