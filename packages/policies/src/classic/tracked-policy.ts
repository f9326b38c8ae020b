import type { PolicyContext, VictimPolicy } from '@pagevisor/core';

const UNTRACKED = 0;
const IN = 1;
const OUT = 2;
const DROPPED = 3;

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
  private readonly neverEvict: Uint8Array;
  private readonly state: Uint8Array;
  private readonly startsEmpty: boolean;
  private sweep = 0;
  private pendingMiss = -1;

  protected constructor(context: PolicyContext) {
    this.maxPages = context.maxPages;
    this.capacity = context.maxPages;
    this.neverEvict = context.neverEvict;
    this.state = new Uint8Array(context.maxPages);
    this.startsEmpty = context.startsEmpty === true;
    if (this.startsEmpty) this.sweep = context.maxPages;
  }

  /** Bytes per page of the state kept here (one byte). */
  protected static readonly BASE_BYTES = 1;

  chooseVictims(n: number, out: Uint32Array): number {
    let found = 0;
    const { state, neverEvict } = this;
    while (found < n && this.sweep < this.maxPages) {
      const gfn = this.sweep++;
      if (state[gfn] !== UNTRACKED || neverEvict[gfn] !== 0) continue;
      state[gfn] = OUT;
      out[found++] = gfn;
    }
    for (let kept = 0; found < n && kept <= this.maxPages; ) {
      const gfn = this.evict();
      if (gfn < 0) break;
      if (neverEvict[gfn] !== 0) {
        this.admit(gfn); // never evicted: it stays in, as if just inserted
        kept++;
        continue;
      }
      state[gfn] = OUT;
      out[found++] = gfn;
    }
    return found;
  }

  notifyPagedOut(gfn: number): void {
    this.state[gfn] = OUT;
  }

  /** Inserts the gfn (`recent` makes no difference to these policies). */
  notifyPagedIn(gfn: number, _recent = true): void {
    if (this.state[gfn] === IN) return;
    if (this.pendingMiss !== gfn) this.onMiss(gfn, -1);
    this.pendingMiss = -1;
    this.state[gfn] = IN;
    this.admit(gfn);
  }

  notifyDropped(gfn: number): void {
    if (this.state[gfn] === IN) this.forget(gfn);
    this.state[gfn] = DROPPED;
  }

  /** A busy page stays in, as if just inserted. */
  notifyNominationFailed(gfn: number): void {
    if (this.state[gfn] === IN) return;
    this.state[gfn] = IN;
    this.admit(gfn);
  }

  notifyAccess(gfn: number, time: number): void {
    const state = this.state[gfn];
    if (state === IN) this.touch(gfn, time);
    else if (state === UNTRACKED && !this.startsEmpty) {
      this.state[gfn] = IN;
      this.admit(gfn);
    } else {
      this.pendingMiss = gfn;
      this.onMiss(gfn, time);
    }
  }

  /** The number of resident pages the policy should plan for (the pager's target, or a cache size). */
  setCapacity(pages: number): void {
    this.capacity = pages;
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
