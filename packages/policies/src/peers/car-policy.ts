import type { PolicyContext } from '@pagevisor/core';
import { IdLists } from '../internal/id-lists.js';
import { TrackedPolicy } from '../classic/tracked-policy.js';

/** Two clocks of resident pages (seen once, seen again) and their two histories of ids. */
const T1 = 1;
const T2 = 2;
const B1 = 3;
const B2 = 4;

/**
 * CAR, CLOCK with Adaptive Replacement (Bansal and Modha, FAST 2004, Figure 2): ARC's adaptation on
 * CLOCK's primitives. Resident pages are on two clocks, T1 (seen once lately) and T2 (seen again),
 * each page with a reference bit a hit sets; histories B1 and B2 remember the ids each clock let go. A
 * miss on an id in B1 grows T1's target `p` (by `max(1, |B2| / |B1|)`), one in B2 shrinks it, and the
 * page enters T2; any other miss enters T1. To make room, T1's hand turns while T1 holds at least
 * `max(1, p)` pages (a page with its bit set moves to T2, bit cleared), else T2's hand (a page with its
 * bit set goes round again); the first page found with its bit clear goes, to its clock's history.
 * B1 is kept to `c - |T1|` ids and all four lists to `2c`. libCacheSim has no CAR: this follows the
 * paper's pseudocode, and its tests check the paper's invariants and a trace worked by hand.
 *
 * @example
 * ```ts
 * simulateTrace(ids, distinct, (ctx) => new CarPolicy(ctx), 1000).misses;
 * ```
 */
export class CarPolicy extends TrackedPolicy {
  readonly name = 'car';
  readonly bytesPerPage = TrackedPolicy.BASE_BYTES + IdLists.BYTES_PER_ID + 1;
  private readonly lists: IdLists;
  private readonly referenced: Uint8Array;
  /** T1's target size. */
  private target = 0;
  private size = 0;
  /** Where the missed page was: a history, or 0. */
  private seenIn = 0;

  constructor(context: PolicyContext) {
    super(context);
    this.lists = new IdLists(context.maxPages, 4);
    this.referenced = new Uint8Array(context.maxPages);
    this.setCapacity(context.maxPages);
  }

  override setCapacity(pages: number): void {
    super.setCapacity(pages);
    this.size = pages;
    this.target = Math.min(this.target, pages);
  }

  protected touch(gfn: number): void {
    this.referenced[gfn] = 1;
  }

  protected override onMiss(gfn: number): void {
    const list = this.lists.listOf[gfn]!;
    this.seenIn = list === B1 || list === B2 ? list : 0;
  }

  protected admit(gfn: number): void {
    const { lists } = this;
    const c = this.size;
    // Lines 6-9: a miss in neither history trims them after the eviction that made room.
    if (this.seenIn === 0 && lists.listOf[gfn] !== B1 && lists.listOf[gfn] !== B2) {
      if (lists.size(T1) + lists.size(B1) >= c && lists.size(B1) > 0) lists.popTail(B1);
      else if (lists.size(T1) + lists.size(T2) + lists.size(B1) + lists.size(B2) >= 2 * c && lists.size(B2) > 0) lists.popTail(B2);
    }
    this.referenced[gfn] = 0;
    if (this.seenIn === B1) {
      this.target = Math.min(this.target + Math.max(1, lists.size(B2) / lists.size(B1)), c);
      lists.moveToHead(T2, gfn);
    } else if (this.seenIn === B2) {
      this.target = Math.max(this.target - Math.max(1, lists.size(B1) / lists.size(B2)), 0);
      lists.moveToHead(T2, gfn);
    } else {
      lists.remove(gfn); // a victim whose nomination failed (live)
      lists.pushHead(T1, gfn);
    }
    this.seenIn = 0;
  }

  /** The paper's `replace()`. */
  protected evict(): number {
    const { lists, referenced } = this;
    if (lists.size(T1) + lists.size(T2) === 0) return -1;
    for (;;) {
      if (lists.size(T1) > 0 && (lists.size(T1) >= Math.max(1, this.target) || lists.size(T2) === 0)) {
        const gfn = lists.tail(T1);
        if (referenced[gfn] === 0) {
          lists.moveToHead(B1, gfn);
          return gfn;
        }
        referenced[gfn] = 0;
        lists.moveToHead(T2, gfn);
      } else {
        const gfn = lists.tail(T2);
        if (referenced[gfn] === 0) {
          lists.moveToHead(B2, gfn);
          return gfn;
        }
        referenced[gfn] = 0;
        lists.moveToHead(T2, gfn);
      }
    }
  }

  protected forget(gfn: number): void {
    this.lists.remove(gfn);
  }
}
