import type { PolicyContext } from '@pagevisor/core';
import { TrackedPolicy } from '../classic/tracked-policy.js';

/** A page's place in the clock (CLOCK-Pro's page states). */
const OUT_OF_CLOCK = 0;
const HOT = 1;
const COLD = 2; // resident cold, its test period over
const COLD_IN_TEST = 3; // resident cold in its test period
const GHOST = 4; // non-resident cold in its test period
const NONE = -1;

/** The cold share's bounds: at least 1% of the cache and 2 pages, at most 99% (Caffeine's simulator's defaults). */
const MIN_COLD_FRACTION = 0.01;
const MIN_COLD_PAGES = 2;
const MAX_COLD_FRACTION = 0.99;

/**
 * CLOCK-Pro (Jiang, Chen and Zhang, "CLOCK-Pro: An Effective Improvement of the CLOCK Replacement",
 * USENIX ATC 2005): LIRS's reuse-distance test run on one clock. Pages are hot (small reuse distance)
 * or cold; a cold page starts a test period when it comes in, and stays on the clock as a non-resident
 * ghost after its eviction until the period ends. A cold page accessed in its test period turns hot
 * (and a hot page whose bit is clear turns cold in its place). Three hands sweep the one list: the cold
 * hand finds the victim (a cold page whose bit is clear), the hot hand demotes hot pages and ends the
 * test periods it passes, and the test hand ends test periods when the ghosts outnumber the cache.
 * The cold share adapts: up when a page in test is reused, down when a test period ends unused.
 *
 * @remarks
 * libCacheSim has no CLOCK-Pro, so there are no reference counts. It follows the paper's §4, with two
 * choices the paper leaves open, as Caffeine's simulator (`irr.ClockPro`) makes them from the authors'
 * reference code: a ghost reused while the hot hand finds no hot page to demote stays cold; the cold
 * share lies between 1% of the cache (at least 2 pages) and 99%. Ghosts are bounded by the cache's
 * size, as in the paper (Caffeine's default allows twice as many). While the cache fills, pages come
 * in hot until only the cold share is left, then cold. Per page: its two list links, its state and
 * its reference bit.
 *
 * @example
 * ```ts
 * simulateTrace(ids, distinct, (ctx) => new ClockProPolicy(ctx), 1000).misses;
 * ```
 */
export class ClockProPolicy extends TrackedPolicy {
  readonly name = 'clockpro';
  readonly bytesPerPage = TrackedPolicy.BASE_BYTES + 4 + 4 + 1 + 1;
  private readonly next: Int32Array;
  private readonly prev: Int32Array;
  private readonly status: Uint8Array;
  private readonly marked: Uint8Array;
  /** The newest page; the list runs from it, through `next`, to the oldest. */
  private head = NONE;
  private handHot = NONE;
  private handCold = NONE;
  private handTest = NONE;
  private hot = 0;
  private cold = 0;
  private ghosts = 0;
  private inTest = 0;
  private coldTarget = 0;
  private minCold = 0;
  private maxCold = 0;
  /** The page whose miss was looked up last, and the free room there was then (before any eviction). */
  private missed = NONE;
  private freeAtMiss = 0;

  constructor(context: PolicyContext) {
    super(context);
    const pages = context.maxPages;
    this.next = new Int32Array(pages).fill(NONE);
    this.prev = new Int32Array(pages).fill(NONE);
    this.status = new Uint8Array(pages);
    this.marked = new Uint8Array(pages);
    this.setCapacity(pages);
  }

  override setCapacity(pages: number): void {
    super.setCapacity(pages);
    this.minCold = Math.max(MIN_COLD_PAGES, Math.floor(pages * MIN_COLD_FRACTION));
    this.maxCold = Math.min(Math.floor(pages * MAX_COLD_FRACTION), pages - this.minCold);
    this.coldTarget = Math.min(Math.max(this.coldTarget, this.minCold), Math.max(this.minCold, this.maxCold));
  }

  protected touch(gfn: number): void {
    this.marked[gfn] = 1;
  }

  protected override onMiss(gfn: number): void {
    this.missed = gfn;
    this.freeAtMiss = this.capacity - this.hot - this.cold;
  }

  protected admit(gfn: number): void {
    const free = this.missed === gfn ? this.freeAtMiss : this.capacity - this.hot - this.cold;
    this.missed = NONE;
    if (free > this.minCold) this.moveToHead(gfn, HOT);
    else if (free > 0) this.moveToHead(gfn, COLD_IN_TEST);
    // A full cache: a ghost reused in its test period may turn hot; any other page starts a test period.
    else this.moveToHead(gfn, this.status[gfn] === GHOST && this.canPromote(gfn) ? HOT : COLD_IN_TEST);
    this.organizeHands();
  }

  protected evict(): number {
    if (this.hot + this.cold === 0) return NONE;
    if (this.cold === 0) this.demoteForLive();
    for (;;) {
      const victim = this.runHandCold();
      if (victim !== NONE) return victim;
    }
  }

  protected forget(gfn: number): void {
    if (this.status[gfn] === OUT_OF_CLOCK) return;
    this.removeFromClock(gfn);
    this.organizeHands();
  }

  /**
   * Live only: a pager asked for a victim with every resident page hot (pages it had before the policy
   * heard of them came in hot). The hot hand's page turns cold, bit or not, so the cold hand has one.
   */
  private demoteForLive(): void {
    this.nextHandHot();
    this.moveToHead(this.handHot, COLD);
    this.organizeHands();
  }

  /** One step of the cold hand; returns the page it replaced, or NONE when it only moved a page on. */
  private runHandCold(): number {
    const page = this.handCold;
    let replaced = NONE;
    if (this.marked[page] === 1) {
      // Reused: in its test period it may turn hot; either way it goes to the head, its bit cleared.
      this.moveToHead(page, this.status[page] === COLD_IN_TEST && this.canPromote(page) ? HOT : COLD_IN_TEST);
    } else {
      replaced = page;
      if (this.status[page] === COLD_IN_TEST) {
        this.setStatus(page, GHOST);
        this.handCold = this.prev[page]!;
      } else this.removeFromClock(page);
      while (this.ghosts > this.capacity) this.runHandTest();
    }
    this.nextHandCold();
    return replaced;
  }

  /** A cold page reused in its test period: the cold share grows, and hot pages turn cold until the hot set has room. */
  private canPromote(page: number): boolean {
    if (this.status[page] !== COLD_IN_TEST && this.status[page] !== GHOST) return false;
    this.adjustColdTarget(1);
    while (this.hot >= this.capacity - this.coldTarget) {
      if (this.status[page] !== COLD_IN_TEST && this.status[page] !== GHOST) return false; // the hot hand ended its test period
      if (!this.runHandHot(page)) return false;
    }
    return true;
  }

  /** The hot hand, up to `trigger`: demotes the first hot page whose bit is clear; ends the test periods it passes. */
  private runHandHot(trigger: number): boolean {
    let demoted = false;
    while (this.handHot !== trigger) {
      const page = this.handHot;
      if (this.status[page] === HOT) {
        if (this.marked[page] === 1) this.moveToHead(page, HOT);
        else {
          this.moveToHead(page, COLD);
          demoted = true;
          break;
        }
      } else {
        this.handHot = this.prev[page]!;
        this.endTestPeriod(page);
      }
    }
    this.nextHandHot();
    return demoted;
  }

  private runHandTest(): void {
    const page = this.handTest;
    this.endTestPeriod(page);
    this.nextHandTest();
  }

  /** A test period ends: a ghost leaves the clock; the cold share shrinks unless the page was reused. */
  private endTestPeriod(page: number): void {
    const state = this.status[page];
    if (state !== COLD_IN_TEST && state !== GHOST) return;
    const reused = this.marked[page] === 1;
    if (state === COLD_IN_TEST) this.setStatus(page, COLD);
    else this.removeFromClock(page);
    this.adjustColdTarget(reused ? 1 : -1);
  }

  private adjustColdTarget(by: number): void {
    this.coldTarget = Math.min(Math.max(this.coldTarget + by, this.minCold), Math.max(this.minCold, this.maxCold));
  }

  /** The cold hand at the oldest resident cold page. */
  private nextHandCold(): void {
    if (this.cold === 0) {
      this.handCold = NONE;
      return;
    }
    if (this.handCold === NONE) this.handCold = this.prev[this.head]!;
    while (this.status[this.handCold] !== COLD && this.status[this.handCold] !== COLD_IN_TEST) this.handCold = this.prev[this.handCold]!;
  }

  /** The hot hand at the oldest hot page, ending the test periods of the cold pages it passes. */
  private nextHandHot(): void {
    if (this.hot === 0) {
      this.handHot = NONE;
      return;
    }
    if (this.handHot === NONE) this.handHot = this.prev[this.head]!;
    while (this.status[this.handHot] !== HOT) {
      const page = this.handHot;
      this.handHot = this.prev[page]!;
      this.endTestPeriod(page);
    }
    this.nextHandTest();
  }

  /** The test hand at the oldest page in its test period. */
  private nextHandTest(): void {
    if (this.inTest === 0) {
      this.handTest = NONE;
      return;
    }
    if (this.handTest === NONE) this.handTest = this.handHot === NONE ? this.prev[this.head]! : this.handHot;
    while (this.status[this.handTest] !== COLD_IN_TEST && this.status[this.handTest] !== GHOST) this.handTest = this.prev[this.handTest]!;
  }

  private organizeHands(): void {
    this.nextHandCold();
    this.nextHandHot();
    this.nextHandTest();
  }

  /** Puts `page` at the head of the list in `state`, its bit cleared (taken out of the list first if it is in). */
  private moveToHead(page: number, state: number): void {
    if (this.status[page] !== OUT_OF_CLOCK) this.removeFromClock(page);
    const { next, prev } = this;
    if (this.head === NONE) {
      next[page] = page;
      prev[page] = page;
    } else {
      const newest = this.head;
      const oldest = prev[newest]!;
      next[page] = newest;
      prev[page] = oldest;
      next[oldest] = page;
      prev[newest] = page;
    }
    this.head = page;
    this.setStatus(page, state);
  }

  /** Takes `page` out of the list; a hand on it steps back to the page before it. */
  private removeFromClock(page: number): void {
    const { next, prev } = this;
    const after = next[page]!;
    const before = prev[page]!;
    if (after === page) {
      this.head = this.handHot = this.handCold = this.handTest = NONE;
    } else {
      if (this.head === page) this.head = after;
      if (this.handCold === page) this.handCold = before;
      if (this.handHot === page) this.handHot = before;
      if (this.handTest === page) this.handTest = before;
      next[before] = after;
      prev[after] = before;
    }
    next[page] = NONE;
    prev[page] = NONE;
    this.setStatus(page, OUT_OF_CLOCK);
    this.marked[page] = 0;
  }

  /** Every state change goes through here, so the counts stay true. */
  private setStatus(page: number, state: number): void {
    this.count(this.status[page]!, -1);
    this.status[page] = state;
    this.count(state, 1);
  }

  private count(state: number, by: number): void {
    if (state === HOT) this.hot += by;
    else if (state === COLD) this.cold += by;
    else if (state === COLD_IN_TEST) {
      this.cold += by;
      this.inTest += by;
    } else if (state === GHOST) {
      this.ghosts += by;
      this.inTest += by;
    }
  }
}
