import { LinuxError } from './linux-error.js';
import { nativeAddon } from './internal/native-addon.js';
import { isPagevisorError } from '@pagevisor/core';

/**
 * Whether this process can page memory with userfaultfd, and if not, why and what to do.
 *
 * @example
 * ```ts
 * const support = userfaultfdSupport();
 * if (!support.available) console.error(support.problem.message); // what is missing, and the remedy
 * ```
 */
export type UserfaultfdSupport =
  | {
      /** userfaultfd can be used here. */
      readonly available: true;
      /** How the descriptor was obtained: the syscall, or the `/dev/userfaultfd` device. */
      readonly via: 'syscall' | '/dev/userfaultfd';
      /** The `UFFD_FEATURE_*` bits this kernel offers. */
      readonly features: number;
    }
  | {
      /** userfaultfd cannot be used here. */
      readonly available: false;
      /** Why, with the remedy in its message. */
      readonly problem: LinuxError;
    };

const EPERM = 1;
const EACCES = 13;
const ENOSYS = 38;
const EINVAL = 22;

/**
 * Asks the kernel, without changing anything: opens a userfaultfd (the syscall, else `/dev/userfaultfd`)
 * and negotiates its API, then closes it.
 *
 * @example
 * ```ts
 * if (userfaultfdSupport().available) console.log('real memory can be paged here');
 * ```
 */
export function userfaultfdSupport(): UserfaultfdSupport {
  let probe;
  try {
    probe = nativeAddon().probe();
  } catch (error) {
    if (isPagevisorError(error)) return { available: false, problem: error as LinuxError };
    throw error;
  }
  if (probe.ok) return { available: true, via: probe.via, features: probe.features };
  return { available: false, problem: supportProblem(probe.errno, probe.step) };
}

/** The typed error for a failed userfaultfd open or API negotiation, with its remedy. */
export function supportProblem(errno: number, step: string): LinuxError {
  if (errno === EPERM || errno === EACCES) {
    return new LinuxError(
      'LINUX_PERMISSION',
      `userfaultfd is refused to this process (${step}: errno ${errno}): run as root, give the user read-write access to /dev/userfaultfd (a group owning it), or set the sysctl vm.unprivileged_userfaultfd=1`,
      { errno },
    );
  }
  if (errno === ENOSYS) return new LinuxError('LINUX_KERNEL', `this kernel has no userfaultfd (${step}: ENOSYS): use a kernel built with CONFIG_USERFAULTFD, Linux 5.11 or later`, { errno });
  if (errno === EINVAL) return new LinuxError('LINUX_KERNEL', `this kernel's userfaultfd lacks what the backend needs (${step}: EINVAL): write-protect faults on anonymous memory and thread ids need Linux 5.11 or later`, { errno });
  return new LinuxError('LINUX_SYSCALL', `userfaultfd failed (${step}: errno ${errno})`, { errno });
}
