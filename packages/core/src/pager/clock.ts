/** A source of time in milliseconds; the pager reads it for rates. Tests pass a virtual one. */
export interface Clock {
  /** Milliseconds since an arbitrary origin. */
  now(): number;
}

/** The process clock (`performance.now()`). */
export const systemClock: Clock = { now: () => performance.now() };
