import { LinuxError } from './linux-error.js';
import type { NativeAddon } from './internal/native-addon.js';

/**
 * Reference bits for the policy, sampled through minor faults: every `intervalMs`, a hand moves over
 * `fraction` of the region's pages and soft-evicts the resident ones it passes (their page-table
 * entries are dropped, their bytes stay in memory); the next access to such a page is a minor fault,
 * answered natively at once and reported to the policy as an access (`notifyAccess`). So each page is
 * sampled once every `intervalMs / fraction` ms, and clock, lru, access-timestamp and adaptive see
 * hits, not only page-ins.
 *
 * @example
 * ```ts
 * openPagedRegion({ pages: 1 << 16, target: 1 << 14, sampling: { fraction: 1 / 16, intervalMs: 50 } });
 * ```
 */
export interface AccessSamplingOptions {
  /** The share of the region's pages the hand passes per interval, above 0 and at most 1 (default 1/16). */
  readonly fraction?: number;
  /** Milliseconds between two moves of the hand, 1 to 60000 (default 20). */
  readonly intervalMs?: number;
}

/**
 * `options` with their defaults filled in, checked: what {@link openPagedRegion} does with its
 * `sampling` option, for a tool that takes sampling from its user and wants to refuse it early.
 *
 * @throws {@link LinuxError} `LINUX_ARGUMENT` for a fraction or an interval out of range
 *
 * @example
 * ```ts
 * checkAccessSampling({ intervalMs: 5 }); // { fraction: 0.0625, intervalMs: 5 }
 * checkAccessSampling({ fraction: 2 }); // throws LINUX_ARGUMENT
 * ```
 */
export function checkAccessSampling(options: AccessSamplingOptions): Required<AccessSamplingOptions> {
  const { fraction = 1 / 16, intervalMs = 20 } = options;
  if (!(fraction > 0 && fraction <= 1)) throw new LinuxError('LINUX_ARGUMENT', `a sampling fraction is above 0 and at most 1, not ${fraction}`);
  if (!Number.isInteger(intervalMs) || intervalMs < 1 || intervalMs > 60_000) throw new LinuxError('LINUX_ARGUMENT', `a sampling interval is 1 to 60000 ms, not ${intervalMs}`);
  return { fraction, intervalMs };
}

/**
 * Sampled pages not touched yet, at most: each records one access when touched, and the addon's ring
 * (`ACCESS_RING` in src/native/region.h) holds twice as many.
 */
const MAX_OUTSTANDING = 1 << 16;

/**
 * The hand of {@link AccessSamplingOptions} over one region: what it sampled, and the accesses drained.
 *
 * @internal
 */
export class AccessSampler {
  private readonly fraction: number;
  private readonly intervalMs: number;
  /** Per page: 1 while sampled and not yet touched (nor evicted). */
  private sampled = new Uint8Array(0);
  private outstanding = 0;
  private hand = 0;
  private readonly batch = new Uint32Array(1024);
  private timer: NodeJS.Timeout | undefined;
  /** Pages soft-evicted since the region opened: what sampling has cost. */
  soft = 0;

  /**
   * @param options - the region's sampling
   * @throws {@link LinuxError} `LINUX_ARGUMENT` for a fraction or an interval out of range
   */
  constructor(options: AccessSamplingOptions) {
    const { fraction, intervalMs } = checkAccessSampling(options);
    this.fraction = fraction;
    this.intervalMs = intervalMs;
  }

  /** Starts moving the hand over region `id`, sampling pages whose `state` is `resident`. */
  start(native: NativeAddon, id: number, state: Uint8Array, resident: number): void {
    this.sampled = new Uint8Array(state.length);
    const step = Math.max(1, Math.ceil(state.length * this.fraction));
    this.timer = setInterval(() => this.move(native, id, state, resident, step), this.intervalMs);
    this.timer.unref();
  }

  /** One move of the hand: `step` pages passed, the resident ones not sampled yet soft-evicted. */
  private move(native: NativeAddon, id: number, state: Uint8Array, resident: number, step: number): void {
    const sampled = this.sampled;
    const pages = state.length;
    let n = 0;
    for (let passed = 0; passed < step && this.outstanding + n < MAX_OUTSTANDING; passed++) {
      const page = this.hand;
      this.hand = page + 1 === pages ? 0 : page + 1;
      if (state[page] !== resident || sampled[page] === 1) continue;
      if (n === this.batch.length) {
        this.sample(native, id, n);
        n = 0;
      }
      this.batch[n++] = page;
    }
    this.sample(native, id, n);
  }

  private sample(native: NativeAddon, id: number, n: number): void {
    if (n === 0) return;
    native.sample(id, this.batch, n);
    for (let i = 0; i < n; i++) this.sampled[this.batch[i]!] = 1;
    this.outstanding += n;
    this.soft += n;
  }

  /** Moves the accesses recorded since the last call into `into`; returns how many. */
  drain(native: NativeAddon, id: number, into: Uint32Array): number {
    const n = native.accesses(id, into, into.length);
    for (let i = 0; i < n; i++) this.forget(into[i]!);
    return n;
  }

  /** `page` was touched or left memory: it is no longer waiting to be touched. */
  forget(page: number): void {
    if (this.sampled[page] !== 1) return;
    this.sampled[page] = 0;
    this.outstanding--;
  }

  /** Stops the hand. */
  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }
}
