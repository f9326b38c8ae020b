import type { AbiError, AbiErrorCode } from './abi-error.js';
import type { ConfigError } from './config-error.js';
import type { Errno, HypervisorError } from './hypervisor-error.js';
import type { MigrationError, MigrationErrorCode } from './migration-error.js';
import type { OfflineError, OfflineErrorCode } from './offline-error.js';
import type { PagerError, PagerErrorCode } from './pager-error.js';
import { hasPagevisorBrand, type PagevisorError } from './pagevisor-error.js';
import type { PolicyError } from './policy-error.js';
import type { RingError, RingErrorCode } from './ring-error.js';
import type { StoreError, StoreErrorCode } from './store-error.js';

/**
 * Every code core's errors carry, each mapped to the class that carries it.
 *
 * @example
 * ```ts
 * const fatal: PagevisorErrorCode[] = ['STORE_CORRUPT', 'ABI_MISMATCH'];
 * ```
 */
export type PagevisorErrorCode = keyof PagevisorErrorByCode;

/**
 * The error class of each code of core, which {@link isPagevisorError} narrows to.
 *
 * @example
 * ```ts
 * type Corrupt = PagevisorErrorByCode['STORE_CORRUPT']; // StoreError
 * ```
 */
export type PagevisorErrorByCode = { readonly [C in AbiErrorCode]: AbiError } & { readonly [C in RingErrorCode]: RingError } & {
  readonly [C in Errno]: HypervisorError;
} & { readonly [C in StoreErrorCode]: StoreError } & { readonly [C in PagerErrorCode]: PagerError } & { readonly [C in OfflineErrorCode]: OfflineError } & { readonly [C in MigrationErrorCode]: MigrationError } & {
  /** Bad configuration. */
  readonly CONFIG: ConfigError;
  /** A policy broke its contract. */
  readonly POLICY: PolicyError;
};

/**
 * Tells whether `value` is a Pagevisor error, optionally of one `code`, and narrows it: with one of
 * core's codes to the class that carries it (`'STORE_CORRUPT'` gives a {@link StoreError} with its
 * `gfn`, `'EBUSY'` a {@link HypervisorError}); with another package's code (a trace reader's
 * `TRACE_FORMAT`) to {@link PagevisorError}. It checks a brand rather than `instanceof`, so it works
 * across duplicated copies of `@pagevisor/core` in one process.
 *
 * @param value - anything caught
 * @param code - when given, the code the error must have
 * @returns true when `value` was thrown by Pagevisor (and has `code`, if given)
 *
 * @example
 * ```ts
 * try {
 *   await store.readBatch(gfns, 1, page);
 * } catch (e) {
 *   if (isPagevisorError(e, 'STORE_CORRUPT')) console.error(`gfn ${e.gfn} is damaged`);
 *   else throw e;
 * }
 * ```
 */
export function isPagevisorError<C extends PagevisorErrorCode>(value: unknown, code: C): value is PagevisorErrorByCode[C];
export function isPagevisorError(value: unknown, code?: string): value is PagevisorError;
export function isPagevisorError(value: unknown, code?: string): value is PagevisorError {
  return hasPagevisorBrand(value, code);
}
