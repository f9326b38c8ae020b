import type { PolicyContext } from '@pagevisor/core';
import { ScanResistantLru } from '../internal/scan-resistant-lru.js';
import { TrackedPolicy } from '../classic/tracked-policy.js';

/**
 * SR-LRU, the scan-resistant LRU of CACHEUS (Rodriguez et al., "Learning Cache Replacement with
 * CACHEUS", FAST 2021): new pages enter `SR`, an LRU of half the cache; a hit there, or a miss on a page
 * `SR` pushed out lately (a history of ids as large as the cache), moves it to `R`, an LRU of the other
 * half, whose least recent page goes back to `SR`; pages leave the cache only from `SR`'s tail.
 * libCacheSim's `SR_LRU` (libCacheSim/cache/eviction/SR_LRU.c), matched exactly, which differs from
 * the paper: its resizing of `SR` and `R` never happens (it reads the `demoted` and `new_obj` marks of
 * objects just created, which are always clear), so both stay at half the cache for good, and it makes
 * room itself as it inserts (its `get` skips the common evict-then-insert path): a simulated cache
 * never asks it for a victim ({@link SrLruPolicy.sizesItself}).
 *
 * @example
 * ```ts
 * simulateTrace(ids, distinct, (ctx) => new SrLruPolicy(ctx), 1000).misses;
 * ```
 */
export class SrLruPolicy extends TrackedPolicy {
  readonly name = 'sr-lru';
  readonly bytesPerPage = TrackedPolicy.BASE_BYTES + TrackedPolicy.RELEASE_BYTES + ScanResistantLru.BYTES_PER_PAGE;
  /** It makes room itself as it inserts: a simulated cache never asks it for a victim. */
  readonly sizesItself = true;
  private readonly lists: ScanResistantLru;

  constructor(context: PolicyContext) {
    super(context);
    this.allowReleases();
    this.lists = new ScanResistantLru(context.maxPages, (gfn) => this.release(gfn));
    this.setCapacity(context.maxPages);
  }

  override setCapacity(pages: number): void {
    super.setCapacity(pages);
    this.lists.setCapacity(pages);
  }

  protected touch(gfn: number): void {
    this.lists.touch(gfn);
  }

  protected admit(gfn: number): void {
    this.lists.insert(gfn);
  }

  protected evict(): number {
    const gfn = this.lists.victim();
    if (gfn >= 0) this.lists.retire(gfn);
    return gfn;
  }

  protected forget(gfn: number): void {
    this.lists.forget(gfn);
  }
}
