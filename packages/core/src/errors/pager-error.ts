import { PagevisorError, type PagevisorErrorOptions } from './pagevisor-error.js';

/**
 * Codes of {@link PagerError}.
 *
 * - `PAGER_STATE`: a call the pager's state does not allow (start twice, stop one that is not running).
 * - `PAGER_NO_MEMORY`: page-ins found no free memory time after time; the pager stopped and the pages
 *   stay out, in the store.
 * - `PAGER_NO_PROGRESS`: a graceful stop stopped bringing pages in.
 *
 * @example
 * ```ts
 * if (isPagevisorError(error, 'PAGER_NO_MEMORY')) console.error(error.message);
 * ```
 */
export type PagerErrorCode = 'PAGER_STATE' | 'PAGER_NO_MEMORY' | 'PAGER_NO_PROGRESS';

/**
 * The engine itself gave up, or was used out of order.
 *
 * @example
 * ```ts
 * await pager.start();
 * await pager.start().catch((e) => console.log((e as PagerError).code)); // PAGER_STATE
 * ```
 */
export class PagerError extends PagevisorError {
  declare readonly code: PagerErrorCode;
  /** The page at fault, if one is. */
  readonly gfn: number | undefined;

  /**
   * @param code - what happened
   * @param message - what, naming the page and the state
   * @param options - the page, and the cause
   */
  constructor(code: PagerErrorCode, message: string, options: PagevisorErrorOptions & { readonly gfn?: number } = {}) {
    super(code, message, options);
    this.gfn = options.gfn;
  }
}
