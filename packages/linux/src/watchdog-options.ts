import { LinuxError } from './linux-error.js';

/**
 * A native watchdog: what happens to a fault the pager leaves unanswered (a store that hangs, a pager
 * thread stuck) is decided in C, on the fault reader's thread, so it happens even when JavaScript
 * cannot run.
 *
 * @example
 * ```ts
 * openPagedRegion({ pages: 4096, target: 1024, watchdog: { deadlineMs: 2000 } });
 * ```
 */
export interface WatchdogOptions {
  /** Milliseconds a fault may wait for the pager before the watchdog acts, a whole number from 1. */
  readonly deadlineMs: number;
}

/**
 * Checks a watchdog's deadline.
 *
 * @throws {@link LinuxError} `LINUX_ARGUMENT` for a deadline that is not a whole number from 1
 * @internal
 */
export function checkWatchdog(watchdog: WatchdogOptions | undefined): void {
  if (watchdog === undefined) return;
  const { deadlineMs } = watchdog;
  if (!Number.isInteger(deadlineMs) || deadlineMs < 1) throw new LinuxError('LINUX_ARGUMENT', `a watchdog deadline is a whole number of milliseconds from 1, not ${deadlineMs}`);
}
