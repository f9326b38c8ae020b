import type { PolicyContext } from '@pagevisor/core';
import { IdLists } from '../internal/id-lists.js';
import { TrackedPolicy } from '../classic/tracked-policy.js';

const R = 1;
const SR = 2;
const HISTORY = 3;

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
  readonly bytesPerPage = TrackedPolicy.BASE_BYTES + TrackedPolicy.RELEASE_BYTES + IdLists.BYTES_PER_ID;
  /** It makes room itself as it inserts: a simulated cache never asks it for a victim. */
  readonly sizesItself = true;
  private readonly lists: IdLists;
  private half = 1;
  private historySize = 1;
  private historyHit = false;

  constructor(context: PolicyContext) {
    super(context);
    this.allowReleases();
    this.lists = new IdLists(context.maxPages, 3);
    this.setCapacity(context.maxPages);
  }

  override setCapacity(pages: number): void {
    super.setCapacity(pages);
    this.half = Math.max(1, Math.floor(pages / 2));
    this.historySize = pages;
  }

  protected touch(gfn: number): void {
    const { lists } = this;
    if (lists.listOf[gfn] === R) {
      lists.moveToHead(R, gfn);
      return;
    }
    lists.moveToHead(R, gfn);
    this.demoteOverflow(0);
  }

  protected override onMiss(gfn: number): void {
    this.historyHit = this.lists.listOf[gfn] === HISTORY;
  }

  protected admit(gfn: number): void {
    const { lists } = this;
    lists.remove(gfn); // from the history, or a victim whose nomination failed
    if (this.historyHit) {
      this.demoteOverflow(1);
      lists.pushHead(R, gfn);
    } else {
      lists.pushHead(SR, gfn);
    }
    this.historyHit = false;
    while (lists.size(SR) > this.half) this.release(this.remember(lists.popTail(SR)));
    this.trimHistory();
  }

  protected evict(): number {
    const { lists } = this;
    const gfn = lists.popTail(lists.size(SR) > 0 ? SR : R);
    if (gfn < 0) return -1;
    this.remember(gfn);
    this.trimHistory();
    return gfn;
  }

  protected forget(gfn: number): void {
    this.lists.remove(gfn);
  }

  /** While `R` (with room for `room` more) is over its half, its least recent page goes back to `SR`. */
  private demoteOverflow(room: number): void {
    const { lists } = this;
    while (lists.size(R) > 0 && lists.size(R) + room > this.half) lists.moveToHead(SR, lists.tail(R));
  }

  /** Puts a page leaving the cache at the head of the history; returns it. */
  private remember(gfn: number): number {
    this.lists.pushHead(HISTORY, gfn);
    return gfn;
  }

  private trimHistory(): void {
    while (this.lists.size(HISTORY) > 0 && this.lists.size(HISTORY) >= this.historySize) this.lists.popTail(HISTORY);
  }
}
