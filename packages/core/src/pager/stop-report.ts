/**
 * How a pager stopped.
 *
 * @example
 * ```ts
 * const { mode, pagesOut } = await pager.stop('hard');
 * ```
 */
export interface StopReport {
  /** `graceful`: every page was brought back and paging disabled; `hard`: pages left out; `failed`: gave up on an error. */
  readonly mode: 'graceful' | 'hard' | 'failed';
  /** Pages still paged out (in the store) when it stopped. */
  readonly pagesOut: number;
}
