import { ConfigError, type PolicyContext } from '@pagevisor/core';
import { CountingBloomFilter } from '../internal/counting-bloom-filter.js';
import { IdLists } from '../internal/id-lists.js';
import { SegmentedLru } from '../internal/segmented-lru.js';
import { TrackedPolicy } from '../classic/tracked-policy.js';

const WINDOW = 1;
/** Main's two segments, probation (a fifth) and protected, are lists 2 and 3. */
const PROBATION = 2;

/**
 * How {@link WTinyLfuPolicy} runs.
 *
 * @example
 * ```ts
 * const options: WTinyLfuOptions = { window: 0.1 };
 * const asLibCacheSim: WTinyLfuOptions = { window: 0.01, libCacheSim: true };
 * ```
 */
export interface WTinyLfuOptions {
  /** The window's share of the cache, from 0 to below 1 (default 0.01, libCacheSim's and Caffeine's). */
  readonly window?: number;
  /**
   * Reproduce libCacheSim's `WTinyLFU` exactly where it departs from W-TinyLFU (default false): its
   * window rounds down to no page below 100 (and then it admits nothing: every request misses), and its
   * sketch halves only after 32 × main's size hits in main (so a main full of stale pages never ages).
   */
  readonly libCacheSim?: boolean;
}

/**
 * W-TinyLFU (Einziger, Friedman and Manes, "TinyLFU: A Highly Efficient Cache Admission Policy", ACM
 * TOS 2017): new pages enter a small LRU window; the window's victim enters the main cache, an SLRU of
 * a fifth probation and four fifths protected, only if a frequency sketch says it was seen more often
 * than main's victim, which it then replaces. libCacheSim's `WTinyLFU` with an SLRU main
 * (libCacheSim/cache/eviction/WTinyLFU.c: `seg-size=1:4`, a counting Bloom filter sized for main at
 * 0.001 error, every window victim counted once more each time it is weighed), which it matches in
 * distribution with `libCacheSim: true` (its sketch hashes differently).
 *
 * @remarks
 * By default three of libCacheSim's choices are Pagevisor's instead, as in Caffeine's W-TinyLFU: the
 * window holds at least one page (libCacheSim's 1% window of a cache under 100 pages is none, so it
 * admits nothing: 118 × Belady's misses on the address traces), and the sketch halves after 10 × the
 * cache's size requests of any kind (Caffeine's `FrequencySketch` sample size), not after main hits
 * alone, and an eviction takes one page (libCacheSim goes on weighing window pages after a main page
 * lost to one, so a miss can empty several pages). Its sketch is Caffeine's size too: four counters
 * per page, not libCacheSim's fifteen (with ten hashes). None of these was tuned on the reference
 * traces.
 *
 * @example
 * ```ts
 * simulateTrace(ids, distinct, (ctx) => new WTinyLfuPolicy(ctx, { window: 0.1 }), 1000).misses;
 * ```
 */
export class WTinyLfuPolicy extends TrackedPolicy {
  readonly name: string;
  readonly bytesPerPage: number;
  /** With `libCacheSim`: whether it takes the page just missed at all (not when its window has no page). */
  readonly admits?: (gfn: number) => boolean;
  private readonly lists: IdLists;
  private readonly main: SegmentedLru;
  private readonly windowShare: number;
  private readonly libCacheSim: boolean;
  private sketch: CountingBloomFilter;
  private sketchEntries = 0;
  private windowSize = 1;
  private mainSize = 0;
  private decayPeriod = 1;
  private counted = 0;

  /** @throws {@link @pagevisor/core!ConfigError | ConfigError} for a window share outside [0, 1) */
  constructor(context: PolicyContext, options: WTinyLfuOptions = {}) {
    super(context);
    const window = options.window ?? 0.01;
    if (!(window >= 0 && window < 1)) throw new ConfigError('policy', `wtinylfu: the window's share is from 0 to below 1, not ${window}`);
    this.windowShare = window;
    this.libCacheSim = options.libCacheSim === true;
    this.name = window === 0.01 ? 'wtinylfu' : `wtinylfu-w${window}`;
    this.allowReleases();
    this.lists = new IdLists(context.maxPages, 3);
    this.main = new SegmentedLru(this.lists, PROBATION, 2, (gfn) => this.release(gfn));
    this.sketch = CountingBloomFilter.compact(1);
    if (this.libCacheSim) this.admits = () => this.windowSize > 0;
    this.setCapacity(context.maxPages);
    // The sketch is sized by capacity, not by page: its bytes spread over the pages for the budget.
    this.bytesPerPage = TrackedPolicy.BASE_BYTES + TrackedPolicy.RELEASE_BYTES + IdLists.BYTES_PER_ID + Math.ceil(this.sketch.bytes / context.maxPages);
  }

  override setCapacity(pages: number): void {
    super.setCapacity(pages);
    const window = Math.floor(pages * this.windowShare);
    this.windowSize = this.libCacheSim ? window : Math.min(pages, Math.max(1, window));
    this.mainSize = pages - this.windowSize;
    this.main.setShares(this.mainSize, [1, 4]);
    const entries = Math.max(1, this.mainSize);
    if (entries !== this.sketchEntries) this.sketch = this.libCacheSim ? CountingBloomFilter.forErrorRate(entries, 0.001) : CountingBloomFilter.compact(entries);
    this.sketchEntries = entries;
    this.decayPeriod = this.libCacheSim ? 32 * this.mainSize : 10 * pages;
    this.counted = 0;
  }

  protected touch(gfn: number): void {
    if (this.lists.listOf[gfn] === WINDOW) {
      this.lists.moveToHead(WINDOW, gfn);
      if (!this.libCacheSim) this.count();
      return;
    }
    this.main.touch(gfn);
    this.sketch.add(gfn);
    this.count();
  }

  protected admit(gfn: number): void {
    this.lists.remove(gfn);
    this.lists.pushHead(WINDOW, gfn);
    this.sketch.add(gfn);
    if (!this.libCacheSim) this.count();
  }

  /**
   * The window's victim goes to main if main has room, or replaces main's victim if the sketch has seen
   * it more often; that page, or the window's victim if it loses, is the victim. In libCacheSim mode
   * the next window victim is weighed after a replacement too, until one loses, and each replaced main
   * victim leaves the cache as well (released), as libCacheSim does.
   */
  protected evict(): number {
    const { lists, main, sketch } = this;
    let victim = -1;
    for (;;) {
      const candidate = lists.tail(WINDOW);
      if (candidate < 0) {
        const gfn = main.evict();
        return victim < 0 ? gfn : this.alsoOut(victim, gfn);
      }
      const incumbent = main.size() + 1 <= this.mainSize ? -1 : main.victim();
      if (incumbent >= 0 ? sketch.estimate(candidate) <= sketch.estimate(incumbent) : main.size() + 1 > this.mainSize) {
        // The candidate loses (or there is no main to enter): it is the last page out.
        lists.remove(candidate);
        sketch.add(candidate);
        return victim < 0 ? candidate : this.alsoOut(victim, candidate);
      }
      if (incumbent >= 0) {
        main.evict();
        if (victim < 0) victim = incumbent;
        else this.release(incumbent);
      }
      lists.remove(candidate);
      main.insert(candidate);
      sketch.add(candidate);
      // W-TinyLFU stops at the first page out; libCacheSim weighs the next window page regardless.
      if (victim >= 0 && !this.libCacheSim) return victim;
    }
  }

  /** Returns `victim`, the first page out, after releasing `also` (when there is one). */
  private alsoOut(victim: number, also: number): number {
    if (also >= 0) this.release(also);
    return victim;
  }

  protected forget(gfn: number): void {
    this.lists.remove(gfn);
  }

  /** One more request toward the sketch's halving. */
  private count(): void {
    if (++this.counted >= this.decayPeriod) {
      this.counted = 0;
      this.sketch.decay();
    }
  }
}
