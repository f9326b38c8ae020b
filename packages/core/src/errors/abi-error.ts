import { PagevisorError, type PagevisorErrorOptions } from './pagevisor-error.js';

/**
 * Codes of {@link AbiError}.
 *
 * - `ABI_UNKNOWN`: no ABI is registered under the id.
 * - `ABI_DUPLICATE`: an ABI or adapter with that id is already registered.
 * - `ABI_LENGTH`: the bytes given are shorter or longer than one entry of the ABI.
 * - `ABI_FIELD_RANGE`: a field value does not fit the field (a gfn at or above 2^53, a negative count).
 * - `ABI_BAD_FLAGS`: flag bits or names the ABI does not define.
 * - `ABI_BAD_VALUE`: an enumerated field (`type`, `reason`) holds a value the ABI does not define.
 * - `ABI_MISMATCH`: negotiation found no ABI the pager supports for the one the hypervisor announced
 *   (the pager refuses before enabling), or the ring carries another vm_event version than the pager
 *   speaks (a Xen before 4.13, which cannot announce it). a refusal by Xen itself (SUSE's `MEM_EVENT_PAGING_AGE` check) is
 *   a `HypervisorError` `ENOEXEC` instead.
 *
 * @example
 * ```ts
 * if (isPagevisorError(error, 'ABI_MISMATCH')) console.log(error.message);
 * ```
 */
export type AbiErrorCode =
  | 'ABI_UNKNOWN'
  | 'ABI_DUPLICATE'
  | 'ABI_LENGTH'
  | 'ABI_FIELD_RANGE'
  | 'ABI_BAD_FLAGS'
  | 'ABI_BAD_VALUE'
  | 'ABI_MISMATCH';

/**
 * Where in an entry an {@link AbiError} was found.
 *
 * @example
 * ```ts
 * try { abi.decode(bytes); } catch (e) { if (e instanceof AbiError) console.log(e.abi, e.field, e.offset, e.value); }
 * ```
 */
export interface AbiErrorDetails extends PagevisorErrorOptions {
  /** The ABI id involved. */
  readonly abi?: string;
  /** The message field at fault, by its Pagevisor name (`gfn`, `flags`, ...). */
  readonly field?: string;
  /** Byte offset of the field inside the entry. */
  readonly offset?: number;
  /** The offending value. */
  readonly value?: unknown;
}

/**
 * An entry, a message or an ABI pairing that the paging ABI layer refuses.
 *
 * @remarks
 * Every decode of untrusted ring bytes either yields a valid message or throws this error, naming the
 * ABI, the field, its offset and the bad value. Nothing is silently truncated.
 *
 * @example
 * ```ts
 * import { AbiError, isPagevisorError } from '@pagevisor/core';
 *
 * try {
 *   abi.decodeBytes(bytes);
 * } catch (e) {
 *   if (isPagevisorError(e, 'ABI_FIELD_RANGE')) console.error((e as AbiError).field); // 'gfn'
 * }
 * ```
 */
export class AbiError extends PagevisorError {
  declare readonly code: AbiErrorCode;
  /** The ABI id involved, if any. */
  readonly abi: string | undefined;
  /** The message field at fault, if any. */
  readonly field: string | undefined;
  /** Byte offset of the field inside the entry, if known. */
  readonly offset: number | undefined;
  /** The offending value, if any. */
  readonly value: unknown;

  /**
   * @param code - the kind of failure
   * @param message - what failed and where
   * @param details - ABI, field, offset and value at fault
   */
  constructor(code: AbiErrorCode, message: string, details: AbiErrorDetails = {}) {
    super(code, message, details);
    this.abi = details.abi;
    this.field = details.field;
    this.offset = details.offset;
    this.value = details.value;
  }
}
