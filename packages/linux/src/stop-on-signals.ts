import type { Pager } from '@pagevisor/core';

/** The signals {@link stopOnSignals} handles by default, and the exit code each ends with (128 + its number). */
const EXIT_CODES = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 } as const;

/**
 * What {@link stopOnSignals} does.
 *
 * @example
 * ```ts
 * const options: StopOnSignalsOptions = { signals: ['SIGTERM'], onStopped: (signal) => console.error(`stopped on ${signal}`) };
 * ```
 */
export interface StopOnSignalsOptions {
  /** The signals to handle (default SIGINT and SIGTERM). */
  readonly signals?: readonly (keyof typeof EXIT_CODES)[];
  /** Called once the pager has stopped, before the process exits (default: nothing). */
  readonly onStopped?: (signal: keyof typeof EXIT_CODES) => void | Promise<void>;
}

/**
 * Makes SIGINT and SIGTERM stop `pager` gracefully, then exit: every page comes back in first (the
 * region is plain memory again, so a Worker waiting in a fault goes on), then the process exits with
 * 128 + the signal's number. A second signal while the pages come in exits at once: `process.exit`
 * unregisters the region first, so no Worker waiting in a fault holds the exit up (the pages still out
 * stay in the store). Without this, a signal's default action ends the process with the pages out
 * left in the store.
 *
 * @returns a function that removes the handlers
 *
 * @example
 * ```ts
 * const region = openPagedRegion({ pages: 1 << 16, target: 1 << 14 });
 * const pager = createPager({ backend: region.backend, policy: policyNamed('clock'), store: memoryStore() });
 * await pager.start();
 * stopOnSignals(pager);
 * ```
 */
export function stopOnSignals(pager: Pager, options: StopOnSignalsOptions = {}): () => void {
  const signals = options.signals ?? (['SIGINT', 'SIGTERM'] as const);
  let stopping = false;
  const handler = (signal: keyof typeof EXIT_CODES): void => {
    if (stopping) process.exit(EXIT_CODES[signal]);
    stopping = true;
    void pager
      .stop('graceful')
      .then(async () => options.onStopped?.(signal))
      .finally(() => process.exit(EXIT_CODES[signal]));
  };
  for (const signal of signals) process.on(signal, handler);
  return () => {
    for (const signal of signals) process.off(signal, handler);
  };
}
