import type { PolicyContext } from '@pagevisor/core';
import { SampledSet } from '../internal/sampled-set.js';
import { TrackedPolicy } from '../classic/tracked-policy.js';

/** Resident pages sampled per eviction (libCacheSim's `n-sample` default). */
const SAMPLES = 64;

/**
 * Hyperbolic caching (Blankstein, Sen and Freedman, "Hyperbolic Caching: Flexible Caching for Web
 * Applications", USENIX ATC 2017): a page's priority is its hits since it came in over the time it has
 * been in; the victim is the page of lowest priority among 64 drawn at random from the resident ones.
 * libCacheSim's `Hyperbolic` (libCacheSim/cache/eviction/Hyperbolic.c: 64 samples with replacement,
 * priority `1e8 × freq / age`, the count starting at 1 on the way in), matched in distribution: its
 * draws come from its hash table's buckets, these from a seeded xorshift over the resident pages.
 *
 * @example
 * ```ts
 * simulateTrace(ids, distinct, (ctx) => new HyperbolicPolicy(ctx), 1000).misses;
 * ```
 */
export class HyperbolicPolicy extends TrackedPolicy {
  readonly name = 'hyperbolic';
  readonly bytesPerPage = TrackedPolicy.BASE_BYTES + SampledSet.BYTES_PER_ID + 8;
  private readonly resident: SampledSet;
  private readonly hits: Uint32Array;
  private readonly entered: Uint32Array;
  /** Requests seen (a live pager's page-ins without an access count too). */
  private now = 0;
  private missed = false;

  constructor(context: PolicyContext) {
    super(context);
    this.resident = new SampledSet(context.maxPages, context.seed);
    this.hits = new Uint32Array(context.maxPages);
    this.entered = new Uint32Array(context.maxPages);
  }

  protected touch(gfn: number): void {
    this.now++;
    this.hits[gfn]!++;
  }

  protected override onMiss(): void {
    this.now++;
    this.missed = true;
  }

  protected admit(gfn: number): void {
    if (!this.missed) this.now++;
    this.missed = false;
    this.hits[gfn] = 1;
    this.entered[gfn] = this.now;
    this.resident.add(gfn);
  }

  protected evict(): number {
    const { resident, hits, entered } = this;
    let victim = -1;
    let lowest = 1.0e16;
    for (let i = 0; i < SAMPLES; i++) {
      const gfn = resident.draw();
      if (gfn < 0) break;
      const score = (1.0e8 * hits[gfn]!) / Math.max(1, this.now - entered[gfn]!);
      if (lowest > score) {
        victim = gfn;
        lowest = score;
      }
    }
    if (victim >= 0) resident.remove(victim);
    return victim;
  }

  protected forget(gfn: number): void {
    this.resident.remove(gfn);
  }
}
