import type { PolicyContext } from '@pagevisor/core';
import { FrequencyBuckets } from '../internal/frequency-buckets.js';
import { IdLists } from '../internal/id-lists.js';
import { XorShift32 } from '../internal/xorshift32.js';
import { TrackedPolicy } from '../classic/tracked-policy.js';

/** The resident pages by recency, and the two histories of pages each expert evicted. */
const RECENCY = 1;
const LRU_HISTORY = 2;
const LFU_HISTORY = 3;
/** LeCaR's learning rate (the paper's and libCacheSim's). */
const LEARNING_RATE = 0.45;

/**
 * LeCaR (Vietri et al., "Driving Cache Replacement with ML-based LeCaR", HotStorage 2018): two experts,
 * LRU and LFU, each propose a victim; one is drawn with the experts' weights, and the page goes into
 * that expert's history (half the cache's size in ids each). A miss on a page in a history means that
 * expert was wrong: its weight shrinks by `exp(-0.45 × 0.005^(t / C))`, `t` the requests since the
 * eviction. libCacheSim's `LeCaR` (libCacheSim/cache/eviction/LeCaR.c: weights from 0.5, a draw of
 * `rand() % 100 / 100` against LRU's weight, both experts agreeing on a victim leaving no history),
 * matched in distribution: the draws come from a seeded xorshift, not libCacheSim's generator.
 *
 * @example
 * ```ts
 * simulateTrace(ids, distinct, (ctx) => new LeCaRPolicy(ctx), 1000).misses;
 * ```
 */
export class LeCaRPolicy extends TrackedPolicy {
  readonly name = 'lecar';
  readonly bytesPerPage = TrackedPolicy.BASE_BYTES + IdLists.BYTES_PER_ID + FrequencyBuckets.BYTES_PER_PAGE + 8;
  private readonly lists: IdLists;
  private readonly buckets: FrequencyBuckets;
  /** Per page in a history: the request it was evicted at. */
  private readonly evictedAt: Float64Array;
  private lruWeight = 0.5;
  private lfuWeight = 0.5;
  private discount = 0;
  private historySize = 0;
  private readonly draws: XorShift32;
  /** Requests seen (a live pager's page-ins without an access count too). */
  private now = 0;
  private missed = false;

  constructor(context: PolicyContext) {
    super(context);
    this.lists = new IdLists(context.maxPages, 3);
    this.buckets = new FrequencyBuckets(context.maxPages);
    this.evictedAt = new Float64Array(context.maxPages);
    this.draws = new XorShift32(context.seed);
    this.setCapacity(context.maxPages);
  }

  override setCapacity(pages: number): void {
    super.setCapacity(pages);
    this.discount = 0.005 ** (1 / Math.max(1, pages));
    this.historySize = Math.floor(pages / 2);
  }

  protected touch(gfn: number): void {
    this.now++;
    this.lists.moveToHead(RECENCY, gfn);
    this.buckets.bump(gfn);
  }

  /** A page in a history: the expert that evicted it was wrong. */
  protected override onMiss(gfn: number): void {
    this.now++;
    this.missed = true;
    const history = this.lists.listOf[gfn];
    if (history !== LRU_HISTORY && history !== LFU_HISTORY) return;
    const regret = this.discount ** (this.now - this.evictedAt[gfn]!);
    if (history === LRU_HISTORY) [this.lruWeight, this.lfuWeight] = reweigh(this.lruWeight, this.lfuWeight, regret);
    else [this.lfuWeight, this.lruWeight] = reweigh(this.lfuWeight, this.lruWeight, regret);
    this.lists.remove(gfn);
  }

  protected admit(gfn: number): void {
    if (!this.missed) this.now++;
    this.missed = false;
    this.lists.remove(gfn); // a victim whose nomination failed comes back from a history
    this.lists.pushHead(RECENCY, gfn);
    this.buckets.add(gfn);
  }

  protected evict(): number {
    const { lists, buckets } = this;
    const byRecency = lists.tail(RECENCY);
    if (byRecency < 0) return -1;
    const byFrequency = buckets.oldestOfLowest();
    let victim = byRecency;
    let history = 0;
    if (byFrequency !== byRecency) {
      const lru = (this.draws.next() % 100) / 100 < this.lruWeight; // libCacheSim's rand() % 100 / 100
      victim = lru ? byRecency : byFrequency;
      history = lru ? LRU_HISTORY : LFU_HISTORY;
    }
    lists.remove(victim);
    buckets.remove(victim);
    if (history !== 0) {
      this.evictedAt[victim] = this.now;
      lists.pushBounded(history, victim, this.historySize);
    }
    return victim;
  }

  protected forget(gfn: number): void {
    this.lists.remove(gfn);
    this.buckets.remove(gfn);
  }
}

/** libCacheSim's `update_weight`: the wrong expert's weight shrinks, then both are normalised. */
function reweigh(wrong: number, other: number, regret: number): [number, number] {
  const shrunk = wrong * Math.exp(-LEARNING_RATE * regret) + 1e-10;
  const sum = shrunk + other + 2e-10;
  return [shrunk / sum, (other + 1e-10) / sum];
}
