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

/** gfns per word of xenpaging's bitmaps (`BITS_PER_LONG` on x86-64). */
const WORD_BITS = 64;
const BITMAP = 1; // paged out, or recently paged in (in the MRU ring)
const UNCONSUMED = 2; // tried and not paged out yet

/**
 * Options of the xenpaging policy.
 *
 * @example
 * ```ts
 * const pager = createPager({ hypervisor, domid, policy: xenpaging({ mruSize: 1000 }), store });
 * ```
 */
export interface XenpagingOptions {
  /** Entries of the MRU ring of recently paged-in gfns (default 16384); any size ≥ 1 works. */
  readonly mruSize?: number;
}

/**
 * xenpaging's `policy_default.c` (RELEASE-4.2.0 `tools/xenpaging/policy_default.c`), the default policy.
 *
 * @remarks
 * A round-robin sweep over gfns starting at `maxPages / 2` ("avoid paging during BIOS startup",
 * 46a3d35ca3) that skips gfns that are out, recently paged in (the MRU ring), never-evict, or already
 * tried ("unconsumed"); at the first gfn of each 64-gfn word it skips a word that is all busy or all
 * tried, and with it, as Xen does, the first gfn of the next word. A pass that finds nothing counts as
 * failed; after more than 123 failed passes the unconsumed set is cleared. The MRU ring holds the last
 * `mruSize` gfns paged in; a gfn leaves the "do not page" bitmap when it ages out of the ring. A page-in
 * enters the ring only while more pages are out than the ring holds (`num_paged_out > mru_size` in
 * xenpaging's `resume_page`, tested before the count goes down), and a drop goes through the same
 * `resume_page`, so drops age the ring too. `packages/policies/test/xenpaging-reference.test.ts` checks
 * every victim against Xen's own file compiled and run on long random sequences.
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
  /**
   * Per 64-gfn word: how many gfns are busy (BITMAP or never-evict), tried (UNCONSUMED) and eligible
   * (neither). They let a pass step over a word with nothing to find instead of testing its 64 gfns one
   * by one, which made a pass over a guest whose few eligible pages are far apart cost O(maxPages).
   * The choices stay Xen's: the word-skip rule tests what Xen's bitmap loop tests, from the counts.
   */
  private readonly busyInWord: Uint8Array;
  private readonly triedInWord: Uint8Array;
  private readonly eligibleInWord: Uint8Array;
  private iMru = 0;
  private currentGfn: number;
  private failedPasses = 0;
  private pagedOut = 0;

  /**
   * @param context - the domain's size and never-evict set (read once: the set is fixed for a pager's life)
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
    const words = Math.ceil(context.maxPages / WORD_BITS);
    this.busyInWord = new Uint8Array(words);
    this.triedInWord = new Uint8Array(words);
    this.eligibleInWord = new Uint8Array(words);
    this.countWords();
    this.bytesPerPage = 1 + (4 * mruSize) / Math.max(1, context.maxPages) + 3 / WORD_BITS;
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

  /**
   * `policy_choose_victim` (RELEASE-4.2.0 `tools/xenpaging/policy_default.c`): one pass of at most
   * `maxPages` gfns. At the first gfn of each 64-gfn word, a word whose gfns are all busy, or all tried,
   * is skipped whole, and, as in Xen, so is the first gfn of the next word in that pass. Where a word
   * holds no eligible gfn, the pass moves to its last gfn in one step, as Xen's loop would one gfn at a time.
   */
  private chooseOne(): number {
    const { state, neverEvict, maxPages, busyInWord, triedInWord, eligibleInWord } = this;
    let gfn = this.currentGfn;
    for (let i = 0; i < maxPages; i++) {
      gfn++;
      if (gfn >= maxPages) gfn = 0;
      const word = gfn >>> 6;
      if ((gfn & (WORD_BITS - 1)) === 0 && (busyInWord[word] === WORD_BITS || triedInWord[word] === WORD_BITS)) {
        gfn += WORD_BITS;
        i += WORD_BITS;
        continue;
      }
      if (eligibleInWord[word] === 0) {
        const skip = Math.min(Math.min(word * WORD_BITS + WORD_BITS, maxPages) - 1 - gfn, maxPages - 1 - i);
        gfn += skip;
        i += skip;
        continue;
      }
      if ((state[gfn]! & (BITMAP | UNCONSUMED)) !== 0 || neverEvict[gfn] === 1) continue;
      this.set(gfn, state[gfn]! | UNCONSUMED);
      this.currentGfn = gfn;
      return gfn;
    }
    this.currentGfn = gfn;
    if (++this.failedPasses > CLEAR_UNCONSUMED_AFTER) {
      this.clearTried();
      this.failedPasses = 0;
    }
    return -1;
  }

  /** Every state change goes through here, so the word counts stay true. */
  private set(gfn: number, next: number): void {
    this.tally(gfn, -1);
    this.state[gfn] = next;
    this.tally(gfn, 1);
  }

  /** Forgets the unconsumed set, visiting only the words that hold some of it. */
  private clearTried(): void {
    const { triedInWord, maxPages } = this;
    for (let word = 0; word < triedInWord.length; word++) {
      if (triedInWord[word] === 0) continue;
      const end = Math.min(word * WORD_BITS + WORD_BITS, maxPages);
      for (let gfn = word * WORD_BITS; gfn < end; gfn++) this.set(gfn, this.state[gfn]! & ~UNCONSUMED);
    }
  }

  private countWords(): void {
    this.busyInWord.fill(0);
    this.triedInWord.fill(0);
    this.eligibleInWord.fill(0);
    for (let gfn = 0; gfn < this.maxPages; gfn++) this.tally(gfn, 1);
  }

  /** Adds `delta` (1 or −1) to the counts of `gfn`'s word for the state it has now. */
  private tally(gfn: number, delta: number): void {
    const word = gfn >>> 6;
    const bits = this.state[gfn]!;
    const never = this.neverEvict[gfn] === 1;
    if ((bits & BITMAP) !== 0 || never) this.busyInWord[word]! += delta;
    if ((bits & UNCONSUMED) !== 0) this.triedInWord[word]! += delta;
    if ((bits & (BITMAP | UNCONSUMED)) === 0 && !never) this.eligibleInWord[word]! += delta;
  }

  notifyPagedOut(gfn: number): void {
    this.set(gfn, BITMAP);
    this.pagedOut++;
  }

  /**
   * xenpaging's `resume_page` with `notify_policy`: into the MRU ring only while more pages are out
   * than the ring holds (`num_paged_out > mru_size`, tested before the count goes down).
   */
  notifyPagedIn(gfn: number, recent: boolean): void {
    this.pagedInOrDropped(gfn, recent && this.pagedOut > this.mru.length);
  }

  /**
   * `policy_notify_dropped`, then, as xenpaging's main loop does for a dropped page it held, the same
   * `resume_page` as for a page-in: a drop ages the MRU ring too.
   */
  notifyDropped(gfn: number): void {
    this.set(gfn, this.state[gfn]! & ~BITMAP);
    this.pagedInOrDropped(gfn, this.pagedOut > this.mru.length);
  }

  /** `policy_handle_paged_in`, then `num_paged_out--`. */
  private pagedInOrDropped(gfn: number, keepInRing: boolean): void {
    const slot = this.iMru;
    this.iMru = (this.iMru + 1) % this.mru.length;
    const old = this.mru[slot]!;
    if (old >= 0) this.set(old, this.state[old]! & ~BITMAP);
    if (keepInRing) {
      // policy_notify_paged_in: the gfn keeps its bitmap bit until it ages out of the ring.
      this.mru[slot] = gfn;
    } else {
      // policy_notify_paged_in_nomru
      this.set(gfn, this.state[gfn]! & ~BITMAP);
      this.mru[slot] = -1;
    }
    if (this.pagedOut > 0) this.pagedOut--;
  }

  /** The gfn stays in the unconsumed set until it is paged out or the set is cleared. */
  notifyNominationFailed(gfn: number): void {
    this.set(gfn, this.state[gfn]! | UNCONSUMED);
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
 * const pager = createPager({ hypervisor, domid, policy: xenpaging({ mruSize: 1000 }), store });
 * ```
 */
export function xenpaging(options: XenpagingOptions = {}): PagevisorPlugin {
  return {
    name: 'xenpaging',
    register(container, context) {
      container.provide(VICTIM_POLICY, new XenpagingPolicy(context, options));
    },
  };
}
