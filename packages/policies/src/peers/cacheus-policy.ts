import type { PolicyContext } from '@pagevisor/core';
import { FrequencyBuckets } from '../internal/frequency-buckets.js';
import { IdLists } from '../internal/id-lists.js';
import { ScanResistantLru } from '../internal/scan-resistant-lru.js';
import { XorShift32 } from '../internal/xorshift32.js';
import { TrackedPolicy } from '../classic/tracked-policy.js';

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
  readonly bytesPerPage = TrackedPolicy.BASE_BYTES + TrackedPolicy.RELEASE_BYTES + ScanResistantLru.BYTES_PER_PAGE + IdLists.BYTES_PER_ID + FrequencyBuckets.BYTES_PER_PAGE + 8;
  /** SR-LRU, the recency expert; its history H also keeps CR-LFU's counts (`remembered`). */
  private readonly lists: ScanResistantLru;
  private readonly ghosts: IdLists;
  private readonly buckets: FrequencyBuckets;
  /** Per page in SR-LRU's history: its count when CR-LFU let it go. */
  private readonly remembered: Float64Array;
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
    // A page SR-LRU pushes out on an insert leaves CR-LFU too (libCacheSim's other_cache->remove).
    this.lists = new ScanResistantLru(context.maxPages, (gfn) => this.release(this.leaveFrequency(gfn)));
    this.ghosts = new IdLists(context.maxPages, 2);
    this.buckets = new FrequencyBuckets(context.maxPages);
    this.remembered = new Float64Array(context.maxPages);
    this.draws = new XorShift32(context.seed);
    this.rate = 0.001 + (this.draws.next() % 1000) / 1000;
    this.setCapacity(context.maxPages);
  }

  override setCapacity(pages: number): void {
    super.setCapacity(pages);
    this.lists.setCapacity(pages);
    this.ghostSize = Math.floor(pages / 2);
    this.interval = Math.max(1, pages);
  }

  protected touch(gfn: number): void {
    this.lists.touch(gfn);
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
    this.ghosts.remove(gfn); // a resident page is in no ghost (live: a refused victim comes back without a miss)
    this.buckets.addAt(gfn, this.lists.inHistory(gfn) ? this.remembered[gfn]! + 1 : 1);
    this.lists.insert(gfn);
    this.endRequest(); // (a live page-in without an access counts as a request too)
  }

  /** `Cacheus_evict`: each expert names a victim; one is drawn by weight, and it leaves both. */
  protected evict(): number {
    const byRecency = this.lists.victim();
    if (byRecency < 0) return -1;
    const byFrequency = this.buckets.newestOfLowest();
    const recencyChosen = (this.draws.next() % 100) / 100 < this.lruWeight;
    const victim = byRecency === byFrequency || recencyChosen ? byRecency : byFrequency;
    this.lists.retire(victim);
    this.leaveFrequency(victim);
    if (byRecency !== byFrequency) this.ghosts.pushBounded(recencyChosen ? LRU_GHOST : LFU_GHOST, victim, this.ghostSize);
    return victim;
  }

  protected forget(gfn: number): void {
    this.lists.forget(gfn);
    this.buckets.remove(gfn);
  }

  /** A page that left SR-LRU (into its history) leaves CR-LFU, its count remembered; returns it. */
  private leaveFrequency(gfn: number): number {
    this.remembered[gfn] = this.buckets.countOf(gfn);
    this.buckets.remove(gfn);
    return gfn;
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
