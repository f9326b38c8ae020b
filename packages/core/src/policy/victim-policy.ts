/**
 * What a victim policy is given when a pager creates it.
 *
 * @example
 * ```ts
 * const policy = createPolicy('lru', { maxPages: 1 << 20, neverEvict: new Uint8Array(1 << 20), seed: 1 });
 * ```
 */
export interface PolicyContext {
  /** gfns are `[0, maxPages)`. */
  readonly maxPages: number;
  /**
   * gfns the policy must never pick (1 = never evict): gfn 0 always, and whatever the pager was told
   * (seed 000 patch 9 made this configurable). Shared, read-only.
   */
  readonly neverEvict: Uint8Array;
  /** Seed for policies that draw random numbers; the same seed gives the same choices. */
  readonly seed: number;
  /**
   * `true` in trace simulation, where the cache starts empty; absent or `false` for a live guest, whose
   * every gfn is resident before the policy hears of it.
   */
  readonly startsEmpty?: boolean;
  /**
   * Trace simulation only: for request `t`, the index of the next request to the same page, or -1
   * (Belady needs the future).
   */
  readonly future?: Int32Array;
}

/**
 * A victim policy: xenpaging's `policy.h` hooks, rebuilt for batches (policies.md §1).
 *
 * @remarks
 * The pager calls {@link VictimPolicy.chooseVictims} for a batch of gfns to page out, then tells the
 * policy what happened to each. Per-gfn state belongs in typed arrays sized by `maxPages`, and
 * {@link VictimPolicy.bytesPerPage} says what that costs. A policy is created per pager; it is never
 * shared between domains.
 *
 * @example
 * ```ts
 * import type { PolicyContext, VictimPolicy } from '@pagevisor/core';
 *
 * // The smallest honest policy: sweep gfns in order, skipping the ones already out.
 * function sweep(ctx: PolicyContext): VictimPolicy {
 *   const out = new Uint8Array(ctx.maxPages);
 *   let hand = 0;
 *   return {
 *     name: 'sweep',
 *     bytesPerPage: 1,
 *     chooseVictims(n, victims) {
 *       let found = 0;
 *       for (let seen = 0; seen < ctx.maxPages && found < n; seen++, hand = (hand + 1) % ctx.maxPages) {
 *         if (out[hand] === 0 && ctx.neverEvict[hand] === 0) victims[found++] = hand;
 *       }
 *       return found;
 *     },
 *     notifyPagedOut: (gfn) => void (out[gfn] = 1),
 *     notifyPagedIn: (gfn) => void (out[gfn] = 0),
 *     notifyDropped: (gfn) => void (out[gfn] = 0),
 *     notifyNominationFailed: () => undefined,
 *     notifyAccess: () => undefined,
 *   };
 * }
 * ```
 */
export interface VictimPolicy {
  /** The policy's name (`xenpaging`, `clock`, ...). */
  readonly name: string;
  /** Bytes of policy state per page of `maxPages`. */
  readonly bytesPerPage: number;
  /**
   * Picks up to `n` resident gfns to page out, written to `out[0 … k)`; returns `k` (0 when it has none
   * now). Never picks a never-evict gfn or a gfn it was told is out. A gfn picked is "in flight" until
   * one of the notifications below names it.
   */
  chooseVictims(n: number, out: Uint32Array): number;
  /** The gfn was evicted (`policy_notify_paged_out`). */
  notifyPagedOut(gfn: number): void;
  /**
   * The gfn came back in (`policy_notify_paged_in`); `recent` false is xenpaging's "no MRU update"
   * variant, used when the page came back for a reason other than a guest access.
   */
  notifyPagedIn(gfn: number, recent: boolean): void;
  /** The guest gave the gfn back (balloon); it is neither in nor out now (`policy_notify_dropped`). */
  notifyDropped(gfn: number): void;
  /** Nominate or evict refused the gfn (it was busy); xenpaging's "unconsumed" set. */
  notifyNominationFailed(gfn: number): void;
  /** The guest touched the gfn at `time` (access bits, or every reference in trace simulation). */
  notifyAccess(gfn: number, time: number): void;
  /**
   * How many pages may be resident: the pager's target, or a simulated cache's size. Policies that
   * size internal queues by it (ARC, S3-FIFO) implement it; it may change at any time.
   */
  setCapacity?(pages: number): void;
  /**
   * Asked just before a nominated page is evicted: `false` keeps it (seed 003: the guest touched it
   * since it was nominated, so evicting it now would race the access). The pager then treats it as
   * an eviction refusal. Policies without access information leave it out.
   */
  confirmEviction?(gfn: number): boolean;
  /**
   * Pages the policy let go of on its own since last asked, written to `into` (at most its length;
   * the rest wait for the next call); returns how many. Some policies shrink a queue of their own as a
   * side effect of a hit or an insert (2Q's LRU queue is bounded by its share of the cache, SLRU's
   * segments cascade into an eviction): a cache simulation evicts such pages at once, as libCacheSim
   * does. A live pager need not call it: the policy names those pages first from
   * {@link VictimPolicy.chooseVictims}. Policies that never let go on their own leave it out.
   */
  drainReleased?(into: Uint32Array): number;
  /**
   * True for a policy that keeps itself within its capacity by releasing pages (above) as it inserts,
   * as libCacheSim's SR-LRU and LIRS do: a cache simulation then never asks it for a victim before an
   * insert, and leaves its size to it. A live pager asks it for victims as it asks any policy.
   */
  readonly sizesItself?: boolean;
  /**
   * Whether a cache simulation puts the page just missed in at all (libCacheSim's `can_insert`): false
   * leaves it out, with nothing evicted for it. A live pager cannot leave a faulted page out and does not
   * ask. Policies that always admit leave it out.
   */
  admits?(gfn: number): boolean;
}

/**
 * Makes a policy for one pager.
 *
 * @example
 * ```ts
 * const factory: PolicyFactory = (context) => createPolicy('s3fifo', context);
 * ```
 */
export type PolicyFactory = (context: PolicyContext) => VictimPolicy;
