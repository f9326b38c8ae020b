import { PagevisorError, type PagevisorErrorOptions } from './pagevisor-error.js';

/**
 * errno names a hypervisor operation fails with, as Xen returns them (negated) from its hypercalls.
 *
 * - `EBUSY`: the page or ring is in use (nominate/evict preconditions, a second pager, disable with waiters).
 * - `ENOENT`: the gfn is paged out or being paged; the caller retries (foreign maps, prep of a non-paging gfn).
 * - `EINVAL`: a bad argument (invalid mfn, a type evict refuses, a buffer where none is allowed).
 * - `EAGAIN`: Xen 4.1 and SUSE nominate failures.
 * - `ENODEV`: paging unavailable (no HAP; 4.1: not Intel EPT), or no paging ring.
 * - `ENOEXEC`: the pager's paging age does not match the hypervisor's.
 * - `EXDEV`: populate-on-demand is active. `EMLINK`: IOMMU passthrough is on.
 * - `ENOMEM`: no free machine frame. `ESRCH`: no such domain. `ENOSYS`: no such operation.
 *
 * @example
 * ```ts
 * if (isPagevisorError(error, 'EBUSY')) retryLater();
 * ```
 */
export type Errno = 'EBUSY' | 'ENOENT' | 'EINVAL' | 'EAGAIN' | 'ENODEV' | 'ENOEXEC' | 'EXDEV' | 'EMLINK' | 'ENOMEM' | 'ESRCH' | 'ENOSYS' | 'EPERM';

/**
 * What a {@link HypervisorError} names.
 *
 * @example
 * ```ts
 * try { hypervisor.nominate(domid, gfn); } catch (e) { if (isPagevisorError(e, 'EBUSY')) console.log((e as HypervisorError).gfn); }
 * ```
 */
export interface HypervisorErrorDetails extends PagevisorErrorOptions {
  /** The domain the operation was on. */
  readonly domid?: number;
  /** The gfn the operation was on. */
  readonly gfn?: number;
}

/**
 * A hypervisor operation refused, with Xen's errno as the code.
 *
 * @example
 * ```ts
 * import { isPagevisorError } from '@pagevisor/core';
 *
 * try {
 *   hypervisor.nominate(domid, gfn);
 * } catch (e) {
 *   if (isPagevisorError(e, 'EBUSY')) policy.notifyNominationFailed(gfn);
 *   else throw e;
 * }
 * ```
 */
export class HypervisorError extends PagevisorError {
  declare readonly code: Errno;
  /** The domain involved, if any. */
  readonly domid: number | undefined;
  /** The gfn involved, if any. */
  readonly gfn: number | undefined;

  /**
   * @param errno - Xen's error number name
   * @param message - what was refused and why, naming the domain and gfn
   * @param details - domain, gfn and cause
   */
  constructor(errno: Errno, message: string, details: HypervisorErrorDetails = {}) {
    super(errno, message, details);
    this.domid = details.domid;
    this.gfn = details.gfn;
  }

  /**
   * A refusal the caller is expected to handle (nominate's `EBUSY`, a foreign map's `ENOENT`), built
   * without a stack trace: a pager meets thousands of them a second and reads only their code, and
   * capturing the stack was the largest cost of a refused nomination.
   *
   * @param errno - Xen's error number name
   * @param message - what was refused and why, naming the domain and gfn
   * @param details - domain, gfn and cause
   * @returns the error, whose `stack` holds only its name and message
   *
   * @example
   * ```ts
   * throw HypervisorError.refusal('EBUSY', `nominate: domain ${domid} gfn ${gfn} is mapped`, { domid, gfn });
   * ```
   */
  static refusal(errno: Errno, message: string, details: HypervisorErrorDetails = {}): HypervisorError {
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    try {
      return new HypervisorError(errno, message, details);
    } finally {
      Error.stackTraceLimit = limit;
    }
  }
}
