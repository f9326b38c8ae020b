/**
 * The Linux PV p2m three-level tree (Linux 3.6, arch/x86/xen/p2m.c), 64-bit: 512 top
 * entries → 512 mid entries → 512 leaf entries of `unsigned long`, so 2^27 pfns. Entries are exact
 * 64-bit values (`bigint`): an mfn, `INVALID_P2M_ENTRY` (~0), or an mfn with `FOREIGN_FRAME_BIT` (bit 63)
 * or `IDENTITY_FRAME_BIT` (bit 62).
 *
 * Missing parts of the tree share placeholder pages, as in Linux: `p2m_missing` (a leaf of INVALID),
 * `p2m_mid_missing` (a mid page of pointers to it), and `p2m_identity` (a leaf recognised by identity:
 * every pfn under it maps 1:1). Pages are allocated only when a store needs one.
 */

/**
 * Entries per leaf, mid and top page on 64-bit (`PAGE_SIZE / sizeof(unsigned long)`).
 *
 * @example
 * ```ts
 * const leaf = Math.floor(pfn / P2M_PER_PAGE); // the p2m leaf page of a pfn
 * ```
 */
export const P2M_PER_PAGE = 512;
/**
 * pfns the tree can map: 512³ = 2^27 (512 GiB).
 *
 * @example
 * ```ts
 * new P2mTree().get(MAX_P2M_PFN) === INVALID_P2M_ENTRY; // beyond the tree
 * ```
 */
export const MAX_P2M_PFN = P2M_PER_PAGE * P2M_PER_PAGE * P2M_PER_PAGE;
/**
 * `INVALID_P2M_ENTRY` = ~0UL.
 *
 * @example
 * ```ts
 * tree.get(pfn) === INVALID_P2M_ENTRY; // nothing mapped
 * ```
 */
export const INVALID_P2M_ENTRY = 0xffff_ffff_ffff_ffffn;
/**
 * `FOREIGN_FRAME_BIT` = 1UL << 63: a grant-mapped foreign frame.
 *
 * @example
 * ```ts
 * (tree.get(pfn) & FOREIGN_FRAME_BIT) !== 0n; // a grant-mapped foreign frame
 * ```
 */
export const FOREIGN_FRAME_BIT = 1n << 63n;
/**
 * `IDENTITY_FRAME_BIT` = 1UL << 62: a 1:1 mapping (E820 holes, non-RAM).
 *
 * @example
 * ```ts
 * (tree.get(0xa0) & IDENTITY_FRAME_BIT) !== 0n; // mapped 1:1
 * ```
 */
export const IDENTITY_FRAME_BIT = 1n << 62n;

/**
 * `IDENTITY_FRAME(m)`.
 *
 * @example
 * ```ts
 * tree.get(0xa0) === identityFrame(0xa0); // true once the VGA hole is mapped 1:1
 * ```
 */
export function identityFrame(mfn: number): bigint {
  return BigInt(mfn) | IDENTITY_FRAME_BIT;
}

/**
 * `FOREIGN_FRAME(m)`.
 *
 * @example
 * ```ts
 * tree.set(pfn, foreignFrame(mfn)); // a grant-mapped frame of another domain
 * ```
 */
export function foreignFrame(mfn: number): bigint {
  return BigInt(mfn) | FOREIGN_FRAME_BIT;
}

/**
 * `pfn_to_mfn`'s value: the mfn with FOREIGN and IDENTITY masked off, or -1 for INVALID.
 *
 * @example
 * ```ts
 * entryMfn(identityFrame(0xa0)); // 0xa0: the mfn without the IDENTITY bit
 * entryMfn(INVALID_P2M_ENTRY); // -1
 * ```
 */
export function entryMfn(entry: bigint): number {
  return entry === INVALID_P2M_ENTRY ? -1 : Number(entry & ~(FOREIGN_FRAME_BIT | IDENTITY_FRAME_BIT));
}

/**
 * Pages a {@link P2mTree} allocated.
 *
 * @example
 * ```ts
 * const { leaves, mids } = tree.pagesAllocated;
 * ```
 */
export interface P2mPages {
  /** Private leaf pages. */
  readonly leaves: number;
  /** Private mid pages. */
  readonly mids: number;
}

/**
 * The save/restore MFN-list tree ({@link P2mTree.frameListList}).
 *
 * @example
 * ```ts
 * const { topMfn, midMfns, leafMfns } = tree.frameListList(maxPfn); // what a restore reads
 * ```
 */
export interface FrameListList {
  /** The mfn of `p2m_top_mfn` (`pfn_to_mfn_frame_list_list`). */
  readonly topMfn: number;
  /** Per 1 GiB block: the mfn of its mid-MFN page. */
  readonly midMfns: readonly number[];
  /** Per 1 GiB block: the mfns of its 512 leaf pages. */
  readonly leafMfns: readonly (readonly number[])[];
}

type Leaf = BigUint64Array;
type Mid = Leaf[];

function invalidLeaf(): Leaf {
  return new BigUint64Array(P2M_PER_PAGE).fill(INVALID_P2M_ENTRY);
}

function indexes(pfn: number): [number, number, number] {
  return [Math.floor(pfn / (P2M_PER_PAGE * P2M_PER_PAGE)), Math.floor(pfn / P2M_PER_PAGE) % P2M_PER_PAGE, pfn % P2M_PER_PAGE];
}

/**
 * One PV guest's p2m tree, with its save/restore MFN-list tree.
 *
 * @remarks
 * Fixed from Linux 3.6: when a store needs a private page where the tree has `p2m_identity`, Linux
 * allocated an INVALID-filled page and so dropped the 1:1 mapping of the leaf's other 511 pfns; here
 * the new page keeps them (`IDENTITY_FRAME(pfn)` in every other entry). And `setRangeIdentity` gives
 * the edge leaves of a range that does not start or end on a leaf boundary private pages before it
 * writes, so pfns outside the range never become identity (the question seed 002 left open).
 *
 * @example
 * ```ts
 * const tree = new P2mTree();
 * tree.setRangeIdentity(0xa0, 0x100); // the VGA hole, 1:1
 * tree.set(0x1234, 0x5678n);
 * tree.get(0x1234); // 0x5678n
 * ```
 */
export class P2mTree {
  /** The shared all-INVALID leaf. */
  private readonly missing: Leaf = invalidLeaf();
  /** The shared identity leaf (its contents are never read). */
  private readonly identity: Leaf = invalidLeaf();
  /** The shared mid page whose entries all point at `missing`. */
  private readonly midMissing: Mid = new Array<Leaf>(P2M_PER_PAGE).fill(this.missing);
  private readonly top: Mid[] = new Array<Mid>(P2M_PER_PAGE).fill(this.midMissing);
  /** Machine frames of the tree's private pages, for the MFN-list tree (assigned as they are allocated). */
  private readonly pageMfn = new Map<object, number>();
  private leaves = 0;
  private mids = 0;

  /** @param allocateFrame - gives a machine frame for each page the tree allocates (the MFN-list tree names them) */
  constructor(private readonly allocateFrame: () => number = (() => {
    let next = 0x100000;
    return () => next++;
  })()) {}

  /** Private leaf and mid pages allocated so far. */
  get pagesAllocated(): P2mPages {
    return { leaves: this.leaves, mids: this.mids };
  }

  /** `get_phys_to_machine(pfn)`. */
  get(pfn: number): bigint {
    if (pfn < 0 || pfn >= MAX_P2M_PFN) return INVALID_P2M_ENTRY;
    const [t, m, i] = indexes(pfn);
    const leaf = this.top[t]![m]!;
    if (leaf === this.identity) return identityFrame(pfn);
    return leaf[i]!;
  }

  /**
   * `__set_phys_to_machine`: stores without allocating. Returns false when a private page is needed
   * (then call {@link P2mTree.set}).
   */
  trySet(pfn: number, entry: bigint): boolean {
    if (pfn < 0 || pfn >= MAX_P2M_PFN) return entry === INVALID_P2M_ENTRY;
    const [t, m, i] = indexes(pfn);
    const leaf = this.top[t]![m]!;
    if ((entry & IDENTITY_FRAME_BIT) !== 0n && entry !== INVALID_P2M_ENTRY) {
      if (leaf === this.identity) return true;
      if (leaf === this.missing) {
        // A whole missing leaf becomes identity (cmpxchg in Linux): only right when the caller
        // covers the whole leaf, which setRangeIdentity guarantees for its unaligned edges.
        if (this.top[t] === this.midMissing) return false;
        this.top[t]![m] = this.identity;
        return true;
      }
    }
    if (leaf === this.missing) return entry === INVALID_P2M_ENTRY;
    if (leaf === this.identity) return entry === identityFrame(pfn);
    leaf[i] = entry;
    return true;
  }

  /** `set_phys_to_machine`: stores, allocating the mid and leaf pages it needs. Returns false beyond the tree. */
  set(pfn: number, entry: bigint): boolean {
    if (this.trySet(pfn, entry)) return true;
    if (pfn < 0 || pfn >= MAX_P2M_PFN) return false;
    this.allocateLeaf(pfn);
    return this.trySet(pfn, entry);
  }

  /**
   * `set_phys_range_identity(s, e)`: maps pfns `[start, end)` 1:1 (E820 holes and non-RAM). Whole
   * missing leaves inside the range become the shared identity leaf; the edge leaves of an unaligned
   * range get private pages first. Returns how many pfns were set.
   */
  setRangeIdentity(start: number, end: number): number {
    end = Math.min(end, MAX_P2M_PFN);
    if (start >= end) return 0;
    for (let block = Math.floor(start / (P2M_PER_PAGE * P2M_PER_PAGE)); block * P2M_PER_PAGE * P2M_PER_PAGE < end; block++) this.allocateMid(block);
    if (start % P2M_PER_PAGE !== 0) this.allocateLeaf(start);
    if (end % P2M_PER_PAGE !== 0) this.allocateLeaf(end - 1);
    let set = 0;
    for (let pfn = start; pfn < end; ) {
      const [t, m] = indexes(pfn);
      const leafEnd = Math.min(end, (Math.floor(pfn / P2M_PER_PAGE) + 1) * P2M_PER_PAGE);
      if (this.top[t]![m] === this.missing && pfn % P2M_PER_PAGE === 0 && leafEnd - pfn === P2M_PER_PAGE) {
        this.top[t]![m] = this.identity;
        set += P2M_PER_PAGE;
        pfn = leafEnd;
        continue;
      }
      for (; pfn < leafEnd; pfn++) if (this.set(pfn, identityFrame(pfn))) set++;
    }
    return set;
  }

  /**
   * The save/restore view Linux publishes in `shared_info->arch.pfn_to_mfn_frame_list_list`: the mfn
   * of `p2m_top_mfn`, whose entries are the mfns of mid-MFN pages, whose entries are the mfns of the
   * leaf pages (the shared missing leaf and mid for absent parts). Covers pfns `[0, maxPfn)`.
   */
  frameListList(maxPfn: number): FrameListList {
    const midMfns: number[] = [];
    const leafMfns: number[][] = [];
    const tops = Math.ceil(maxPfn / (P2M_PER_PAGE * P2M_PER_PAGE));
    for (let t = 0; t < tops; t++) {
      const mid = this.top[t]!;
      midMfns.push(this.mfnOf(mid));
      leafMfns.push(mid.map((leaf) => this.mfnOf(leaf)));
    }
    return { topMfn: this.mfnOf(this.top), midMfns, leafMfns };
  }

  /**
   * The contents of the leaf page at machine frame `mfn`, as a restore reads them through the frame
   * lists (the identity leaf reads as INVALID: its meaning is its address), or undefined.
   */
  leafAt(mfn: number): BigUint64Array | undefined {
    for (const [page, frame] of this.pageMfn) if (frame === mfn && page instanceof BigUint64Array) return page;
    return undefined;
  }

  private mfnOf(page: object): number {
    let mfn = this.pageMfn.get(page);
    if (mfn === undefined) {
      mfn = this.allocateFrame();
      this.pageMfn.set(page, mfn);
    }
    return mfn;
  }

  private allocateMid(t: number): void {
    if (this.top[t] !== this.midMissing) return;
    this.top[t] = new Array<Leaf>(P2M_PER_PAGE).fill(this.missing);
    this.mids++;
  }

  /** `alloc_p2m`: private mid and leaf pages for `pfn`; a leaf replacing `p2m_identity` keeps the 1:1 entries. */
  private allocateLeaf(pfn: number): void {
    const [t, m] = indexes(pfn);
    this.allocateMid(t);
    const leaf = this.top[t]![m]!;
    if (leaf !== this.missing && leaf !== this.identity) return;
    const fresh = invalidLeaf();
    if (leaf === this.identity) {
      const base = pfn - (pfn % P2M_PER_PAGE);
      for (let i = 0; i < P2M_PER_PAGE; i++) fresh[i] = identityFrame(base + i);
    }
    this.top[t]![m] = fresh;
    this.leaves++;
  }
}
