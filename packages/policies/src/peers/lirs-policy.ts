import type { PolicyContext } from '@pagevisor/core';
import { IdLists } from '../internal/id-lists.js';
import { TrackedPolicy } from '../classic/tracked-policy.js';

/** The stack S, in `stack`. */
const S = 1;
/** In `queues`: Q, the resident HIR pages; NH, the pages of S that are not resident. */
const Q = 1;
const NH = 2;

/**
 * LIRS (Jiang and Zhang, "LIRS: An Efficient Low Inter-reference Recency Set Replacement Policy to
 * Improve Buffer Cache Performance", SIGMETRICS 2002): pages seen again within a short reuse distance
 * are LIR and stay (99% of the cache); the rest are HIR, resident only in a small queue Q (1%, at least
 * one page); the stack S orders LIR pages and recently seen HIR ones (resident or not) by recency, and
 * a HIR page hit while still in S becomes LIR, the bottom LIR page of S going to Q in its place.
 * libCacheSim's `LIRS` (libCacheSim/cache/eviction/LIRS.c, `hirs_ratio` 0.01, S kept to twice the
 * cache by dropping its oldest non-resident pages), matched exactly, including where it departs from the
 * paper:
 *
 * - a hit on a resident HIR page that is not in S moves S's bottom LIR page to Q first, which with a Q
 *   of one page pushes the hit page itself out of Q; libCacheSim still counts it resident (in S, not
 *   counted in its size), so the cache then holds a page more than its size, until S's pruning drops
 *   it or a hit makes it LIR;
 * - it makes room itself (in `can_insert` and its own `evict`), so a simulated cache never asks it for
 *   a victim ({@link LirsPolicy.sizesItself}).
 *
 * @example
 * ```ts
 * simulateTrace(ids, distinct, (ctx) => new LirsPolicy(ctx), 1000).misses;
 * ```
 */
export class LirsPolicy extends TrackedPolicy {
  readonly name = 'lirs';
  readonly bytesPerPage = TrackedPolicy.BASE_BYTES + TrackedPolicy.RELEASE_BYTES + 2 * IdLists.BYTES_PER_ID + 2;
  /** It makes room itself as it inserts: a simulated cache never asks it for a victim. */
  readonly sizesItself = true;
  private readonly stack: IdLists;
  private readonly queues: IdLists;
  /** Per page of S: LIR (1) or HIR (0), and whether S holds it as resident. */
  private readonly lir: Uint8Array;
  private readonly inCache: Uint8Array;
  private size = 0;
  private lirLimit = 0;
  private hirLimit = 1;
  private lirCount = 0;
  private hirCount = 0;

  constructor(context: PolicyContext) {
    super(context);
    this.allowReleases();
    this.stack = new IdLists(context.maxPages, 1);
    this.queues = new IdLists(context.maxPages, 2);
    this.lir = new Uint8Array(context.maxPages);
    this.inCache = new Uint8Array(context.maxPages);
    this.setCapacity(context.maxPages);
  }

  override setCapacity(pages: number): void {
    super.setCapacity(pages);
    this.size = pages;
    this.hirLimit = Math.max(1, Math.floor(0.01 * pages));
    this.lirLimit = pages - this.hirLimit;
  }

  protected touch(gfn: number): void {
    const { inS, inQ } = this.lookUp(gfn);
    if (inS && this.lir[gfn] === 1) this.prune();
    else if (inS) this.hitHirInStack(gfn, inQ);
    else if (inQ) this.hitHirInQueue(gfn);
    this.limitStack();
  }

  protected override onMiss(gfn: number): void {
    this.lookUp(gfn);
  }

  protected admit(gfn: number): void {
    const { stack, queues } = this;
    queues.remove(gfn); // a victim whose nomination failed (live): it left Q
    const seen = stack.listOf[gfn] === S;
    // libCacheSim's LIRS_can_insert, which makes room.
    if (seen) {
      while (this.lirCount + 1 > this.lirLimit) this.evictLir();
      if (queues.listOf[gfn] === NH) queues.remove(gfn);
    } else if (this.lirCount + 1 > this.lirLimit && this.hirCount + 1 > this.hirLimit) {
      while (this.hirCount + 1 > this.hirLimit) this.release(this.evictHir());
    }
    // cache_get_base's loop over LIRS_evict.
    while (this.lirCount + this.hirCount + 1 > this.size && this.evictForInsert(gfn)) {}
    // LIRS_insert.
    if (stack.listOf[gfn] === S) {
      this.lir[gfn] = 1;
      this.inCache[gfn] = 1;
      this.lirCount++;
    } else {
      stack.pushHead(S, gfn);
      this.inCache[gfn] = 1;
      if (this.lirCount + 1 <= this.lirLimit) {
        this.lir[gfn] = 1;
        this.lirCount++;
      } else {
        this.lir[gfn] = 0;
        queues.pushHead(Q, gfn);
        this.hirCount++;
      }
    }
    this.limitStack();
  }

  /** A live pager's victim: Q's oldest page, after S's bottom LIR page has gone to Q if Q is empty. */
  protected evict(): number {
    if (this.queues.size(Q) === 0 && this.stack.size(S) > 0) this.evictLir();
    return this.queues.size(Q) === 0 ? -1 : this.evictHir();
  }

  protected forget(gfn: number): void {
    const { stack, queues } = this;
    if (stack.listOf[gfn] === S) {
      if (this.lir[gfn] === 1) this.lirCount--;
      stack.remove(gfn);
    }
    if (queues.listOf[gfn] === Q) this.hirCount--;
    queues.remove(gfn);
    this.lir[gfn] = 0;
    this.inCache[gfn] = 0;
    this.prune();
  }

  /** libCacheSim's find with update: the page goes to the top of S and of Q, where it is. */
  private lookUp(gfn: number): { inS: boolean; inQ: boolean } {
    const inS = this.stack.listOf[gfn] === S;
    const inQ = this.queues.listOf[gfn] === Q;
    if (inS) this.stack.moveToHead(S, gfn);
    if (inQ) this.queues.moveToHead(Q, gfn);
    return { inS, inQ };
  }

  /** `hit_RD_HIRinS`: a resident HIR page in S becomes LIR. */
  private hitHirInStack(gfn: number, inQ: boolean): void {
    if (inQ) {
      this.hirCount--;
      this.queues.remove(gfn);
    }
    while (this.lirCount + 1 > this.lirLimit) this.evictLir();
    this.lir[gfn] = 1;
    this.lirCount++;
  }

  /** `hit_RD_HIRinQ`: a resident HIR page not in S enters S, still HIR, after S's bottom LIR page moved to Q. */
  private hitHirInQueue(gfn: number): void {
    while (this.lirCount + 1 > this.lirLimit) this.evictLir();
    this.stack.pushHead(S, gfn);
    this.lir[gfn] = 0;
    this.inCache[gfn] = 1;
    // Pushed out of Q by the LIR page that came in: libCacheSim counts it resident all the same.
    if (this.queues.listOf[gfn] !== Q) this.withdrawRelease(gfn);
  }

  /** `LIRS_evict`: one step of making room for `gfn`; false when it could make none. */
  private evictForInsert(gfn: number): boolean {
    if (this.stack.listOf[gfn] === S && this.lir[gfn] === 0 && this.inCache[gfn] === 0) {
      while (this.hirCount >= this.hirLimit) this.release(this.evictHir());
      this.evictLir();
      return true;
    }
    if (this.stack.listOf[gfn] !== S && this.queues.listOf[gfn] !== Q && this.lirCount + 1 > this.lirLimit && this.hirCount + 1 > this.hirLimit) {
      this.release(this.evictHir());
      return true;
    }
    return false;
  }

  /** `evictLIR`: S's bottom page leaves S for Q (counted as a LIR page whatever it is, as libCacheSim does). */
  private evictLir(): void {
    const { stack, queues } = this;
    let bottom = stack.popTail(S);
    // A page that is not resident (possible only with a single page left in S) would be made resident
    // by libCacheSim without a request; it is forgotten here instead (no reference trace reaches it).
    while (bottom >= 0 && queues.listOf[bottom] === NH) {
      queues.remove(bottom);
      bottom = stack.popTail(S);
    }
    if (bottom < 0) return;
    this.lirCount--;
    this.lir[bottom] = 0;
    while (this.hirCount + 1 > this.hirLimit) this.release(this.evictHir());
    if (queues.listOf[bottom] !== Q) {
      queues.pushHead(Q, bottom);
      this.hirCount++;
    }
    this.prune();
  }

  /** `evictHIR`: Q's oldest page leaves the cache (remembered as non-resident if S holds it); returns it. */
  private evictHir(): number {
    const { stack, queues } = this;
    const gfn = queues.popTail(Q);
    this.hirCount--;
    if (stack.listOf[gfn] === S) {
      this.inCache[gfn] = 0;
      queues.pushHead(NH, gfn);
    }
    return gfn;
  }

  /** `LIRS_prune`: S's bottom pages are taken off until a LIR page is at the bottom (or one page is left). */
  private prune(): void {
    const { stack, queues } = this;
    for (let bottom = stack.tail(S); bottom !== stack.head(S) && this.lir[bottom] === 0; bottom = stack.tail(S)) {
      stack.remove(bottom);
      if (this.inCache[bottom] === 0) queues.remove(bottom);
      // Resident only through S (a page hitHirInQueue kept): leaving S, it leaves the cache.
      else if (queues.listOf[bottom] !== Q) this.release(bottom);
    }
  }

  /** `limitStack`: S holds at most twice the cache; its oldest non-resident pages go first. */
  private limitStack(): void {
    const { stack, queues } = this;
    while (stack.size(S) > 2 * this.size && queues.size(NH) > 0) stack.remove(queues.popTail(NH));
  }
}
