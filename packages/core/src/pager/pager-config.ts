import { ConfigError } from '../errors/config-error.js';

/**
 * Settings of one pager; every field is optional.
 *
 * @example
 * ```ts
 * createPager({ hypervisor, domid, policy, store, config: { batchSize: 128, neverEvict: [0, 1, 2] } });
 * ```
 */
export interface PagerConfig {
  /** Pages evicted per batch: one store write per batch (default 256). */
  readonly batchSize?: number;
  /** gfns never to page out besides gfn 0 (seed 000 patch 9). */
  readonly neverEvict?: readonly number[];
  /** Seed for policies that draw random numbers (default 1). */
  readonly seed?: number;
  /** Emit one event per page (`page.evicted`, `page.populated`, ...) on `events$` (default false). */
  readonly pageEvents?: boolean;
  /** Store read attempts per page-in before the pager gives up and stops (default 3). */
  readonly readAttempts?: number;
  /** Wait before retrying an eviction that made no progress, in ms (default 100, xenpaging's poll timeout). */
  readonly retryIntervalMs?: number;
}

/**
 * {@link PagerConfig} with defaults applied and validated.
 *
 * @example
 * ```ts
 * const { batchSize, readAttempts, retryIntervalMs } = resolvePagerConfig({});
 * ```
 */
export interface ResolvedPagerConfig {
  /** Pages per eviction batch. */
  readonly batchSize: number;
  /** gfns never paged out (gfn 0 included). */
  readonly neverEvict: readonly number[];
  /** Policy seed. */
  readonly seed: number;
  /** Per-page events on. */
  readonly pageEvents: boolean;
  /** Store read attempts per page-in. */
  readonly readAttempts: number;
  /** Retry delay of a stalled eviction, ms. */
  readonly retryIntervalMs: number;
}

/**
 * Applies defaults and checks every setting.
 *
 * @throws {@link ConfigError} naming the setting and the value
 *
 * @example
 * ```ts
 * const config = resolvePagerConfig({ batchSize: 128 }); // defaults filled in, checked
 * ```
 */
export function resolvePagerConfig(config: PagerConfig = {}): ResolvedPagerConfig {
  const positive = (setting: string, value: number | undefined, fallback: number, max: number): number => {
    if (value === undefined) return fallback;
    if (!Number.isInteger(value) || value < 1 || value > max) throw new ConfigError(setting, `${setting} ${value} is not an integer in [1, ${max}]`);
    return value;
  };
  const neverEvict = [0, ...(config.neverEvict ?? [])];
  for (const gfn of neverEvict) {
    if (!Number.isSafeInteger(gfn) || gfn < 0) throw new ConfigError('neverEvict', `neverEvict: ${gfn} is not a gfn`);
  }
  return {
    batchSize: positive('batchSize', config.batchSize, 256, 1 << 16),
    neverEvict,
    seed: config.seed ?? 1,
    pageEvents: config.pageEvents ?? false,
    readAttempts: positive('readAttempts', config.readAttempts, 3, 100),
    retryIntervalMs: positive('retryIntervalMs', config.retryIntervalMs, 100, 60_000),
  };
}
