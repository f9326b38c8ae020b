import { PagevisorError, type PagevisorErrorOptions } from '@pagevisor/core';

/**
 * Codes of errors from the Linux backend (see {@link LinuxError}).
 *
 * @example
 * ```ts
 * if (isPagevisorError(error, 'LINUX_UNSUPPORTED')) console.log(error.message); // says what is missing and the remedy
 * ```
 */
export type LinuxErrorCode = 'LINUX_UNSUPPORTED' | 'LINUX_NATIVE_MISSING' | 'LINUX_PERMISSION' | 'LINUX_KERNEL' | 'LINUX_SYSCALL' | 'LINUX_ARGUMENT' | 'LINUX_STATE' | 'LINUX_HANDSHAKE';

/**
 * The Linux backend could not do what was asked:
 * - `LINUX_UNSUPPORTED`: not Linux, or a Node.js that cannot map external memory;
 * - `LINUX_NATIVE_MISSING`: the addon's binary is neither prebuilt for this platform nor built;
 * - `LINUX_PERMISSION`: userfaultfd is refused to this process (`vm.unprivileged_userfaultfd`, `/dev/userfaultfd`);
 * - `LINUX_KERNEL`: the kernel lacks userfaultfd or a feature the backend needs;
 * - `LINUX_SYSCALL`: a call failed (`errno` says which and why);
 * - `LINUX_ARGUMENT`, `LINUX_STATE`: a bad argument, or a call in the wrong state;
 * - `LINUX_HANDSHAKE`: a peer's handshake was malformed, hostile or over the handler's limits (it is
 *   refused before anything is allocated).
 *
 * Every message says what is missing and the remedy.
 *
 * @example
 * ```ts
 * try {
 *   openPagedRegion({ pages: 1024 });
 * } catch (error) {
 *   if (isPagevisorError(error, 'LINUX_PERMISSION')) console.error(error.message);
 * }
 * ```
 */
export class LinuxError extends PagevisorError {
  declare readonly code: LinuxErrorCode;
  /** The errno of the failed call, when one failed. */
  readonly errno: number | undefined;

  /**
   * @param code - the kind of failure
   * @param message - what failed and the remedy
   * @param options - the errno and the wrapped cause
   */
  constructor(code: LinuxErrorCode, message: string, options: PagevisorErrorOptions & { readonly errno?: number } = {}) {
    super(code, message, options);
    this.errno = options.errno;
  }
}
