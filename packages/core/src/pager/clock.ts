/**
 * A source of time in milliseconds; the pager reads it for rates. Tests pass a virtual one.
 *
 * @example
 * ```ts
 * const fake: Clock = { now: () => virtualNs };
 * createPager({ hypervisor, domid, policy, store, clock: fake });
 * ```
 */
export interface Clock {
  /** Milliseconds since an arbitrary origin. */
  now(): number;
}

/**
 * The process clock (`performance.now()`).
 *
 * @example
 * ```ts
 * createPager({ hypervisor, domid, policy, store, clock: systemClock }); // the default
 * ```
 */
export const systemClock: Clock = { now: () => performance.now() };
