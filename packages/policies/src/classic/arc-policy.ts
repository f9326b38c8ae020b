import type { PolicyContext } from '@pagevisor/core';
import { IdLists } from '../internal/id-lists.js';
import { TrackedPolicy } from './tracked-policy.js';

const T1 = 1;
const T2 = 2;
const B1 = 3;
const B2 = 4;
const NO_GHOST_HIT = 0;

/**
 * ARC (Megiddo and Modha, unit sizes; policies.md §3.5): resident lists T1 (seen once) and T2 (seen
 * again), ghost lists B1 and B2 of recently evicted ids, and a target `p` for T1's size (a double)
 * adapted on ghost hits.
 *
 * @example
 * ```ts
 * simulateTrace(ids, distinct, (ctx) => new ArcPolicy(ctx), 1000).misses;
 * ```
 */
export class ArcPolicy extends TrackedPolicy {
  readonly name = 'arc';
  readonly bytesPerPage = TrackedPolicy.BASE_BYTES + IdLists.BYTES_PER_ID;
  private readonly lists: IdLists;
  private p = 0;
  /** The ghost list the pending miss was found in (B1, B2), or NO_GHOST_HIT. */
  private ghostHit = NO_GHOST_HIT;

  constructor(context: PolicyContext) {
    super(context);
    this.lists = new IdLists(context.maxPages, 4);
  }

  protected touch(gfn: number): void {
    this.lists.moveToHead(T2, gfn);
  }

  /** A ghost hit adapts `p` (sizes taken before the entry leaves its ghost list) and is remembered. */
  protected override onMiss(gfn: number): void {
    const { lists } = this;
    const where = lists.listOf[gfn]!;
    if (where === B1) {
      this.p = Math.min(this.p + Math.max(lists.size(B2) / lists.size(B1), 1), this.capacity);
    } else if (where === B2) {
      this.p = Math.max(this.p - Math.max(lists.size(B1) / lists.size(B2), 1), 0);
    } else {
      this.ghostHit = NO_GHOST_HIT;
      return;
    }
    lists.remove(gfn);
    this.ghostHit = where;
  }

  protected admit(gfn: number): void {
    this.lists.remove(gfn); // a victim whose nomination failed comes back from its ghost list
    this.lists.pushHead(this.ghostHit === NO_GHOST_HIT ? T1 : T2, gfn);
    this.ghostHit = NO_GHOST_HIT;
  }

  protected evict(): number {
    const { lists } = this;
    if (this.ghostHit !== NO_GHOST_HIT) return this.replace(this.ghostHit === B2);
    if (lists.size(T1) + lists.size(B1) >= this.capacity) {
      if (lists.size(B1) > 0) {
        lists.popTail(B1);
        return this.replace(false);
      }
      return lists.popTail(T1); // no ghost
    }
    if (lists.size(T1) + lists.size(T2) + lists.size(B1) + lists.size(B2) >= 2 * this.capacity && lists.size(B2) > 0) lists.popTail(B2);
    return this.replace(false);
  }

  protected forget(gfn: number): void {
    this.lists.remove(gfn);
  }

  /** REPLACE: the LRU page of T1 goes to B1, or that of T2 to B2. */
  private replace(hitInB2: boolean): number {
    const { lists } = this;
    const t1 = lists.size(T1);
    const fromT1 = (t1 > 0 && (t1 > this.p || (t1 === this.p && hitInB2))) || lists.size(T2) === 0;
    const victim = lists.popTail(fromT1 ? T1 : T2);
    if (victim >= 0) lists.pushHead(fromT1 ? B1 : B2, victim);
    return victim;
  }
}
