import { ConfigError, VICTIM_POLICY, type PagevisorPlugin, type PolicyContext, type VictimPolicy } from '@pagevisor/core';

/**
 * `DEFAULT_MRU_SIZE` of xenpaging (375547eb76): 16384 pages, 64 MiB.
 *
 * @example
 * ```ts
 * new XenpagingPolicy(context, { mruSize: XENPAGING_DEFAULT_MRU_SIZE / 4 });
 * ```
 */
export const XENPAGING_DEFAULT_MRU_SIZE = 16384;
/** Failed passes after which xenpaging 4.2 forgets its "unconsumed" set (bf67b6d691). */
const CLEAR_UNCONSUMED_AFTER = 123;

const BITMAP = 1; // paged out, or recently paged in (in the MRU ring)
const UNCONSUMED = 2; // tried and not paged out yet

/**
 * Options of the xenpaging policy.
 *
 * @example
 * ```ts
 * const pager = createPager({ hypervisor, domain, policy: xenpaging({ mruSize: 1000 }), store });
 * ```
 */
export interface XenpagingOptions {
  /** Entries of the MRU ring of recently paged-in gfns (default 16384); any size ≥ 1 works. */
  readonly mruSize?: number;
}

/**
 * xenpaging's `policy_default.c` (Xen 4.2, reference §4.3), the default policy.
 *
 * @remarks
 * A round-robin sweep over gfns starting at `maxPages / 2` ("avoid paging during BIOS startup",
 * 46a3d35ca3) that skips gfns that are out, recently paged in (the MRU ring), never-evict, or already
 * tried ("unconsumed"). A pass that finds nothing counts as failed; after more than 123 failed passes the
 * unconsumed set is cleared. The MRU ring holds the last `mruSize` gfns paged in; a gfn leaves the
 * "do not page" bitmap when it ages out of the ring. While no more pages are out than the ring holds,
 * page-ins skip the ring (`policy_notify_paged_in_nomru`).
 *
 * Fixed from the seed: xenpaging indexed the ring with `i_mru & (mru_size − 1)`, which is wrong for sizes
 * that are not powers of two; this uses `i_mru % mruSize`. State: 1 byte per gfn plus 4 bytes per MRU
 * entry.
 *
 * @example
 * ```ts
 * const policy = new XenpagingPolicy(context, { mruSize: 1000 });
 * const victims = new Uint32Array(64);
 * const n = policy.chooseVictims(64, victims);
 * ```
 */
export class XenpagingPolicy implements VictimPolicy {
  readonly name = 'xenpaging';
  readonly bytesPerPage: number;
  private readonly maxPages: number;
  private readonly neverEvict: Uint8Array;
  private readonly state: Uint8Array;
  private readonly mru: Int32Array;
  private iMru = 0;
  private currentGfn: number;
  private failedPasses = 0;
  private pagedOut = 0;

  /**
   * @param context - the domain's size and never-evict set
   * @param options - the MRU ring size
   * @throws {@link @pagevisor/core!ConfigError | ConfigError} for an MRU size that is not a positive integer
   */
  constructor(context: PolicyContext, options: XenpagingOptions = {}) {
    const mruSize = options.mruSize ?? XENPAGING_DEFAULT_MRU_SIZE;
    if (!Number.isInteger(mruSize) || mruSize < 1) throw new ConfigError('mruSize', `mruSize ${mruSize} is not a positive integer`);
    this.maxPages = context.maxPages;
    this.neverEvict = context.neverEvict;
    this.state = new Uint8Array(context.maxPages);
    this.mru = new Int32Array(mruSize).fill(-1);
    this.currentGfn = context.maxPages >>> 1;
    this.bytesPerPage = 1 + (4 * mruSize) / Math.max(1, context.maxPages);
  }

  chooseVictims(n: number, out: Uint32Array): number {
    let found = 0;
    while (found < n) {
      const gfn = this.chooseOne();
      if (gfn < 0) break;
      out[found++] = gfn;
    }
    return found;
  }

  /** `policy_choose_victim`: one pass of at most `maxPages` gfns. */
  private chooseOne(): number {
    const { state, neverEvict, maxPages } = this;
    let gfn = this.currentGfn;
    for (let seen = 0; seen < maxPages; seen++) {
      gfn = gfn + 1 >= maxPages ? 0 : gfn + 1;
      if (state[gfn] === 0 && neverEvict[gfn] === 0) {
        state[gfn] = UNCONSUMED;
        this.currentGfn = gfn;
        return gfn;
      }
    }
    this.currentGfn = gfn;
    if (++this.failedPasses > CLEAR_UNCONSUMED_AFTER) {
      for (let g = 0; g < maxPages; g++) state[g]! &= ~UNCONSUMED;
      this.failedPasses = 0;
    }
    return -1;
  }

  notifyPagedOut(gfn: number): void {
    this.state[gfn] = BITMAP;
    this.pagedOut++;
  }

  notifyPagedIn(gfn: number, recent: boolean): void {
    if (this.pagedOut > 0) this.pagedOut--;
    const slot = this.iMru;
    this.iMru = (this.iMru + 1) % this.mru.length;
    const old = this.mru[slot]!;
    if (old >= 0) this.state[old]! &= ~BITMAP;
    if (recent && this.pagedOut > this.mru.length) {
      // policy_notify_paged_in: the gfn stays in the bitmap until it ages out of the ring.
      this.mru[slot] = gfn;
      this.state[gfn] = BITMAP;
    } else {
      // policy_notify_paged_in_nomru
      this.mru[slot] = -1;
      this.state[gfn] = 0;
    }
  }

  notifyDropped(gfn: number): void {
    if ((this.state[gfn]! & BITMAP) !== 0 && this.pagedOut > 0) this.pagedOut--;
    this.state[gfn] = 0;
  }

  /** The gfn stays in the unconsumed set until it is paged out or the set is cleared. */
  notifyNominationFailed(gfn: number): void {
    this.state[gfn]! |= UNCONSUMED;
  }

  /** xenpaging sees no accesses. */
  notifyAccess(): void {}
}

/**
 * The xenpaging policy as a plugin.
 *
 * @example
 * ```ts
 * import { xenpaging } from '@pagevisor/policies';
 *
 * const pager = createPager({ hypervisor, domain, policy: xenpaging({ mruSize: 1000 }), store });
 * ```
 */
export function xenpaging(options: XenpagingOptions = {}): PagevisorPlugin {
  return {
    name: 'xenpaging',
    register(container, context) {
      container.register(VICTIM_POLICY, { useValue: new XenpagingPolicy(context, options) });
    },
  };
}
