import type { PolicyContext, VictimPolicy } from '@pagevisor/core';

const UNTRACKED = 0;
const IN = 1;
const OUT = 2;
const DROPPED = 3;

/** Bits of `releasedFlags`: the gfn has an entry in the ring, and that entry stands. */
const IN_RING = 1;
const STANDS = 2;

/**
 * What the classic policies share: which gfns are in, out or in flight, the never-evict set, the
 * order of calls a trace simulation makes, and the gfns a live guest had before the policy saw them.
 *
 * @remarks
 * A subclass keeps its own structure over the gfns that are in and implements `touch` (a hit),
 * `admit` (an insert), `evict` (remove and return one victim by its rules) and `forget`.
 *
 * Trace simulation (libCacheSim's request path, policies.md §3.0) calls `notifyAccess` for every
 * request first; for a miss with a full cache `chooseVictims(1)` then `notifyPagedOut`, then
 * `notifyPagedIn`. A miss's lookup (ARC's and S3-FIFO's ghost hits, Belady's next use) happens in
 * `onMiss`, before the eviction, as in libCacheSim.
 *
 * In a live pager every gfn is resident before the policy hears of it; those gfns are the coldest
 * and are paged out first, in gfn order, then the structure's own victims.
 *
 * @example
 * ```ts
 * class LifoPolicy extends TrackedPolicy {
 *   readonly name = 'lifo';
 *   readonly bytesPerPage = 5;
 *   private readonly stack: number[] = [];
 *   constructor(context: PolicyContext) { super(context); }
 *   protected touch(): void {}
 *   protected admit(gfn: number): void { this.stack.push(gfn); }
 *   protected evict(): number { return this.stack.pop() ?? -1; }
 *   protected forget(gfn: number): void { this.stack.splice(this.stack.indexOf(gfn), 1); }
 * }
 * ```
 */
export abstract class TrackedPolicy implements VictimPolicy {
  abstract readonly name: string;
  abstract readonly bytesPerPage: number;
  protected readonly maxPages: number;
  /** Resident pages the cache holds at most (ARC's and S3-FIFO's C); `maxPages` until told. */
  protected capacity: number;
  /** The state of every gfn and of the released ring, in one object of one shape (see {@link Tracking}). */
  private readonly t: Tracking;
  /**
   * The pages the subclass let go of (its protected `release`), for a cache simulation to evict at
   * once: there only in a subclass that called the protected `allowReleases`, so a simulation of any
   * other pays nothing for it.
   */
  drainReleased?: (into: Uint32Array) => number;

  protected constructor(context: PolicyContext) {
    this.maxPages = context.maxPages;
    this.capacity = context.maxPages;
    this.t = new Tracking(context);
  }

  /** Bytes per page of the state kept here (one byte). */
  protected static readonly BASE_BYTES = 1;
  /** Bytes per page more for a subclass that calls {@link TrackedPolicy.release}. */
  protected static readonly RELEASE_BYTES = 5;

  chooseVictims(n: number, out: Uint32Array): number {
    const t = this.t;
    const { state, neverEvict } = t;
    let found = 0;
    while (found < n && t.sweep < t.maxPages) {
      const gfn = t.sweep++;
      if (state[gfn] !== UNTRACKED || neverEvict[gfn] !== 0) continue;
      state[gfn] = OUT;
      out[found++] = gfn;
    }
    while (found < n && t.releasedRing !== undefined) {
      const gfn = t.nextReleased();
      if (gfn < 0) break;
      if (neverEvict[gfn] !== 0) {
        this.admit(gfn); // never evicted: back in, as if just inserted
        continue;
      }
      state[gfn] = OUT;
      out[found++] = gfn;
    }
    // Never-evict pages the structure offers are set aside and go back in, as if just inserted, only
    // once the batch is full: put back at once, a structure whose next victim is its newest page (a
    // list of one) would offer the same page again and again and never reach the rest.
    let kept = 0;
    while (found < n) {
      const gfn = this.evict();
      if (gfn < 0) break;
      if (neverEvict[gfn] !== 0) {
        t.setAside(kept++, gfn);
        continue;
      }
      state[gfn] = OUT;
      out[found++] = gfn;
    }
    for (let i = 0; i < kept; i++) this.admit(t.keptAside[i]!);
    return found;
  }

  notifyPagedOut(gfn: number): void {
    this.t.state[gfn] = OUT;
  }

  /** Inserts the gfn (`recent` makes no difference to these policies). */
  notifyPagedIn(gfn: number, _recent = true): void {
    const t = this.t;
    if (t.state[gfn] === IN) return;
    if (t.pendingMiss !== gfn) this.onMiss(gfn, -1);
    t.pendingMiss = -1;
    t.state[gfn] = IN;
    this.admit(gfn);
  }

  notifyDropped(gfn: number): void {
    const t = this.t;
    if (t.state[gfn] === IN && !t.withdrawRelease(gfn)) this.forget(gfn);
    t.state[gfn] = DROPPED;
  }

  /** A busy page stays in, as if just inserted. */
  notifyNominationFailed(gfn: number): void {
    const t = this.t;
    if (t.state[gfn] === IN) return;
    t.state[gfn] = IN;
    this.admit(gfn);
  }

  notifyAccess(gfn: number, time: number): void {
    const t = this.t;
    const state = t.state[gfn];
    if (state === IN && t.releasedRing !== undefined && t.withdrawRelease(gfn)) {
      // Live only (a simulation evicts released pages at once): to the structure, a miss.
      this.onMiss(gfn, time);
      this.admit(gfn);
    } else if (state === IN) this.touch(gfn, time);
    else if (state === UNTRACKED && !t.startsEmpty) {
      t.state[gfn] = IN;
      this.admit(gfn);
    } else {
      t.pendingMiss = gfn;
      this.onMiss(gfn, time);
    }
  }

  /** The number of resident pages the policy should plan for (the pager's target, or a cache size). */
  setCapacity(pages: number): void {
    this.capacity = pages;
  }

  /**
   * Lets go of a resident gfn the subclass has already taken out of its structure, outside an
   * {@link TrackedPolicy.evict} (a queue of its own overflowed): a simulation evicts it at once, a
   * live pager picks it before any other victim.
   */
  protected release(gfn: number): void {
    if (this.t.releasedRing === undefined) throw new Error(`${this.name}: release() needs allowReleases() in the constructor`);
    this.t.release(gfn);
  }

  /** For a subclass that calls {@link TrackedPolicy.release}: call it once, in the constructor. */
  protected allowReleases(): void {
    const t = this.t;
    t.allowReleases();
    this.drainReleased = (into) => t.takeReleased(into);
  }

  /** Takes back a release of `gfn` not yet acted on (the page stays in); returns whether there was one. */
  protected withdrawRelease(gfn: number): boolean {
    return this.t.withdrawRelease(gfn);
  }

  /** A hit on a resident gfn, at request `time`. */
  protected abstract touch(gfn: number, time: number): void;
  /** Inserts a gfn that just came in. */
  protected abstract admit(gfn: number): void;
  /** Removes and returns one victim by the policy's rules, or -1 when it holds none. */
  protected abstract evict(): number;
  /** Removes a resident gfn that left without being chosen (a balloon took it). */
  protected abstract forget(gfn: number): void;
  /** The lookup of a gfn that is not resident, before any eviction (`time` -1 outside simulation). */
  protected onMiss(_gfn: number, _time: number): void {}
}

/**
 * What {@link TrackedPolicy} keeps for every subclass, in an object of its own: every policy class has
 * its own shape, and the adaptive policy runs several through the same base methods, where reading
 * these fields off `this` would go through V8's slow, megamorphic path; off one shape they stay fast.
 */
class Tracking {
  readonly neverEvict: Uint8Array;
  readonly state: Uint8Array;
  readonly startsEmpty: boolean;
  /** The next gfn a live guest had before the policy saw it, for the first victims. */
  sweep = 0;
  /** The gfn whose miss `notifyAccess` already looked up, for `notifyPagedIn`. */
  pendingMiss = -1;
  /** Pages the subclass let go of, oldest first (see `TrackedPolicy.allowReleases`). */
  releasedRing: Int32Array | undefined;
  releasedFlags: Uint8Array | undefined;
  ringHead = 0;
  ringCount = 0;
  /** Never-evict pages taken out during one `chooseVictims` (grown on need: the set is usually small). */
  keptAside = new Uint32Array(16);
  readonly maxPages: number;

  constructor(context: PolicyContext) {
    this.maxPages = context.maxPages;
    this.neverEvict = context.neverEvict;
    this.state = new Uint8Array(context.maxPages);
    this.startsEmpty = context.startsEmpty === true;
    if (this.startsEmpty) this.sweep = context.maxPages;
  }

  setAside(index: number, gfn: number): void {
    if (index === this.keptAside.length) {
      const grown = new Uint32Array(Math.min(this.maxPages, index * 2));
      grown.set(this.keptAside);
      this.keptAside = grown;
    }
    this.keptAside[index] = gfn;
  }

  allowReleases(): void {
    this.releasedRing = new Int32Array(this.maxPages);
    this.releasedFlags = new Uint8Array(this.maxPages);
  }

  release(gfn: number): void {
    const ring = this.releasedRing!;
    const flags = this.releasedFlags!;
    if ((flags[gfn]! & IN_RING) === 0) ring[(this.ringHead + this.ringCount++) % this.maxPages] = gfn;
    flags[gfn] = IN_RING | STANDS;
  }

  takeReleased(into: Uint32Array): number {
    let found = 0;
    while (found < into.length) {
      const gfn = this.nextReleased();
      if (gfn < 0) break;
      into[found++] = gfn;
    }
    return found;
  }

  /** Takes back a release of `gfn` not yet acted on; returns whether there was one. */
  withdrawRelease(gfn: number): boolean {
    const flags = this.releasedFlags;
    if (flags === undefined || (flags[gfn]! & STANDS) === 0) return false;
    flags[gfn] = flags[gfn]! & ~STANDS;
    return true;
  }

  /** The oldest released gfn whose release stands, or -1. */
  nextReleased(): number {
    const ring = this.releasedRing;
    if (ring === undefined) return -1;
    const flags = this.releasedFlags!;
    while (this.ringCount > 0) {
      const gfn = ring[this.ringHead]!;
      this.ringHead = (this.ringHead + 1) % this.maxPages;
      this.ringCount--;
      const stood = (flags[gfn]! & STANDS) !== 0;
      flags[gfn] = 0;
      if (stood) return gfn;
    }
    return -1;
  }
}
