import type { PolicyContext } from '@pagevisor/core';
import { FrequencyBuckets } from '../internal/frequency-buckets.js';
import { IdLists } from '../internal/id-lists.js';
import { XorShift32 } from '../internal/xorshift32.js';
import { TrackedPolicy } from '../classic/tracked-policy.js';

/** In `lists`: SR-LRU's R and SR (the resident pages) and its history H. */
const R = 1;
const SR = 2;
const H = 3;
/** In `ghosts`: the pages each expert evicted lately. */
const LRU_GHOST = 1;
const LFU_GHOST = 2;

/**
 * CACHEUS (Rodriguez et al., "Learning Cache Replacement with CACHEUS", FAST 2021): LeCaR's regret
 * weighting over two experts that resist scans and churn, SR-LRU and CR-LFU (an LFU that evicts the
 * newest page of the lowest count and remembers counts of pages SR-LRU's history holds), with a
 * learning rate it adapts every cache-size requests. libCacheSim's `Cacheus`
 * (libCacheSim/cache/eviction/Cacheus.c with SR_LRU.c and CR_LFU.c as its experts), matched in
 * distribution; what it does differently from the paper is kept: the hit rate it adapts on is an
 * integer division (so 0 until every request of an interval hits), SR-LRU's halves never resize (see
 * {@link SrLruPolicy}), and a page SR-LRU pushes out on an insert leaves both experts. Its draws (the
 * first learning rate, each eviction's choice) come from a seeded xorshift.
 *
 * @example
 * ```ts
 * simulateTrace(ids, distinct, (ctx) => new CacheusPolicy(ctx), 1000).misses;
 * ```
 */
export class CacheusPolicy extends TrackedPolicy {
  readonly name = 'cacheus';
  readonly bytesPerPage = TrackedPolicy.BASE_BYTES + TrackedPolicy.RELEASE_BYTES + 2 * IdLists.BYTES_PER_ID + FrequencyBuckets.BYTES_PER_PAGE + 8;
  private readonly lists: IdLists;
  private readonly ghosts: IdLists;
  private readonly buckets: FrequencyBuckets;
  /** Per page in H: its count when CR-LFU let it go. */
  private readonly remembered: Float64Array;
  private half = 1;
  private historySize = 1;
  private ghostSize = 0;
  private interval = 1;
  private lruWeight = 0.5;
  private lfuWeight = 0.5;
  private rate: number;
  private previousRate = 0;
  private previousHitRate = 0;
  private unlearned = 0;
  private hits = 0;
  private requests = 0;
  private readonly draws: XorShift32;

  constructor(context: PolicyContext) {
    super(context);
    this.allowReleases();
    this.lists = new IdLists(context.maxPages, 3);
    this.ghosts = new IdLists(context.maxPages, 2);
    this.buckets = new FrequencyBuckets(context.maxPages);
    this.remembered = new Float64Array(context.maxPages);
    this.draws = new XorShift32(context.seed);
    this.rate = 0.001 + (this.draws.next() % 1000) / 1000;
    this.setCapacity(context.maxPages);
  }

  override setCapacity(pages: number): void {
    super.setCapacity(pages);
    this.half = Math.max(1, Math.floor(pages / 2));
    this.historySize = Math.max(1, pages);
    this.ghostSize = Math.floor(pages / 2);
    this.interval = Math.max(1, pages);
  }

  protected touch(gfn: number): void {
    const { lists } = this;
    if (lists.listOf[gfn] === SR) {
      lists.moveToHead(R, gfn);
      while (lists.size(R) > this.half) lists.moveToHead(SR, lists.tail(R));
    } else lists.moveToHead(R, gfn);
    this.buckets.bump(gfn);
    this.hits++;
    this.endRequest();
  }

  /** `check_and_update_history`: a page an expert evicted lately shrinks that expert's weight. */
  protected override onMiss(gfn: number): void {
    const ghost = this.ghosts.listOf[gfn];
    if (ghost === LRU_GHOST) this.lruWeight *= Math.exp(-this.rate);
    else if (ghost === LFU_GHOST) this.lfuWeight *= Math.exp(-this.rate);
    this.lruWeight = this.lruWeight / (this.lruWeight + this.lfuWeight);
    this.lfuWeight = 1 - this.lruWeight;
    this.ghosts.remove(gfn);
  }

  /** `Cacheus_insert`: CR-LFU first (its count comes back from H), then SR-LRU. */
  protected admit(gfn: number): void {
    const { lists } = this;
    this.ghosts.remove(gfn); // a resident page is in no ghost (live: a refused victim comes back without a miss)
    const inHistory = lists.listOf[gfn] === H;
    this.buckets.addAt(gfn, inHistory ? this.remembered[gfn]! + 1 : 1);
    if (inHistory) {
      lists.remove(gfn);
      while (lists.size(R) > 0 && lists.size(R) + 1 > this.half) lists.moveToHead(SR, lists.tail(R));
      lists.pushHead(R, gfn);
    } else {
      lists.remove(gfn); // a victim whose nomination failed (live)
      lists.pushHead(SR, gfn);
    }
    while (lists.size(SR) > this.half) this.release(this.leave(lists.tail(SR)));
    this.trimHistory();
    this.endRequest(); // (a live page-in without an access counts as a request too)
  }

  /** `Cacheus_evict`: each expert names a victim; one is drawn by weight, and it leaves both. */
  protected evict(): number {
    const { lists } = this;
    const byRecency = lists.size(SR) > 0 ? lists.tail(SR) : lists.tail(R);
    if (byRecency < 0) return -1;
    const byFrequency = this.buckets.newestOfLowest();
    const recencyChosen = (this.draws.next() % 100) / 100 < this.lruWeight;
    const victim = byRecency === byFrequency || recencyChosen ? byRecency : byFrequency;
    this.leave(victim);
    this.trimHistory();
    if (byRecency !== byFrequency) this.ghosts.pushBounded(recencyChosen ? LRU_GHOST : LFU_GHOST, victim, this.ghostSize);
    return victim;
  }

  protected forget(gfn: number): void {
    this.lists.remove(gfn);
    this.buckets.remove(gfn);
  }

  /** A resident page leaves both experts: into H, with CR-LFU's count remembered. */
  private leave(gfn: number): number {
    this.lists.moveToHead(H, gfn);
    this.remembered[gfn] = this.buckets.countOf(gfn);
    this.buckets.remove(gfn);
    return gfn;
  }

  private trimHistory(): void {
    while (this.lists.size(H) > 0 && this.lists.size(H) >= this.historySize) this.lists.popTail(H);
  }

  /** Every `interval` requests, `update_lr`. */
  private endRequest(): void {
    if (++this.requests % this.interval !== 0) return;
    const hitRate = Math.floor(this.hits / this.interval); // libCacheSim divides integers
    const hitChange = hitRate - this.previousHitRate;
    const rateChange = this.rate - this.previousRate;
    this.previousRate = this.rate;
    this.previousHitRate = hitRate;
    if (rateChange !== 0) {
      const sign = hitChange / rateChange > 0 ? 1 : -1;
      const next = this.rate + sign * Math.abs(this.rate * rateChange);
      this.rate = next > 0.001 ? next : 0.0001;
      this.unlearned = 0;
    } else if (hitRate === 0 || hitChange <= 0) {
      this.unlearned++;
    } else if (this.unlearned >= 10) {
      this.unlearned = 0;
      this.rate = 0.001 + (this.draws.next() % 1000) / 1000;
    }
    this.hits = 0;
  }
}
