import { PagevisorError, type PagevisorErrorOptions } from './pagevisor-error.js';

/**
 * Codes of {@link OfflineError}.
 *
 * @example
 * ```ts
 * const code: OfflineErrorCode = 'OFFLINE_HANDLER';
 * ```
 */
export type OfflineErrorCode = 'OFFLINE_UNSUPPORTED' | 'OFFLINE_HANDLER' | 'OFFLINE_CLOSED';

/**
 * Offlining a page failed in the manager rather than in Xen: the hypervisor has no page-offline
 * sysctl (`OFFLINE_UNSUPPORTED`), a handler threw instead of answering (`OFFLINE_HANDLER`, the
 * handler's error as `cause`), or the manager was closed (`OFFLINE_CLOSED`). Xen's own refusals stay
 * {@link HypervisorError}s, and a handler that cannot help answers `declined`, which is no error.
 *
 * @example
 * ```ts
 * try {
 *   await offline.offlinePage(mfn);
 * } catch (e) {
 *   if (isPagevisorError(e, 'OFFLINE_HANDLER')) console.error(`${e.handler} failed on mfn ${e.mfn}`, e.cause);
 * }
 * ```
 */
export class OfflineError extends PagevisorError {
  declare readonly code: OfflineErrorCode;
  /** The machine frame being offlined. */
  readonly mfn: number;
  /** The handler that threw (`OFFLINE_HANDLER` only). */
  readonly handler: string | undefined;

  /**
   * @param code - the kind of failure
   * @param message - what failed, naming the frame and the handler
   * @param details - the frame, the handler and the wrapped cause
   */
  constructor(code: OfflineErrorCode, message: string, details: PagevisorErrorOptions & { readonly mfn: number; readonly handler?: string }) {
    super(code, message, details);
    this.mfn = details.mfn;
    this.handler = details.handler;
  }
}
