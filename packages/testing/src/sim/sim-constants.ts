import { numberedInOrder, P2M_TYPES_XEN_4_2, PAGE_BYTES as CORE_PAGE_BYTES, type P2mTypeName } from '@pagevisor/core';
/**
 * Constants of the simulated machine, with the Xen values they stand for (`xen/include/public/xen.h`, `sysctl.h`, `asm-x86/p2m.h`).
 *
 * Machine frame numbers and M2P entries live in `Int32Array`s, where Xen's all-ones `~0UL` sentinels
 * (`INVALID_MFN`, `INVALID_M2P_ENTRY`) are stored as −1.
 */

/**
 * `INVALID_MFN` (`~0UL`; also 4.1's `PAGING_MFN`), as stored in the simulator's typed arrays.
 *
 * @example
 * ```ts
 * hv.domain(domid).p2mMfn[gfn] === INVALID_MFN; // paged out, or a hole
 * ```
 */
export const INVALID_MFN = -1;
/**
 * `INVALID_M2P_ENTRY` (`~0UL`), as stored in the simulator's typed arrays.
 *
 * @example
 * ```ts
 * hv.frames.m2p[mfn] === INVALID_M2P_ENTRY; // backs no gfn
 * ```
 */
export const INVALID_M2P_ENTRY = -1;
/**
 * `DOMID_INVALID` (0x7ff4): the owner of a free frame.
 *
 * @example
 * ```ts
 * hv.frames.owner[mfn] === DOMID_INVALID; // a free frame
 * ```
 */
export const DOMID_INVALID = 0x7ff4;
/**
 * `DOMID_XEN` (0x7ff2): the owner of a Xen heap frame.
 *
 * @example
 * ```ts
 * hv.frames.owner[mfn] === DOMID_XEN; // a Xen-heap frame: offline is XENPAGE | PENDING
 * ```
 */
export const DOMID_XEN = 0x7ff2;
/**
 * `GNTST_eagain` (−12): a grant operation hit a paged gfn; retry.
 *
 * @example
 * ```ts
 * if (hv.grantMap(domid, gfn, false) === GNTST_EAGAIN) retryLater(gfn); // paged out: retry once it is back
 * ```
 */
export const GNTST_EAGAIN = -12;
/**
 * `PAGE_SIZE` on x86: core's {@link @pagevisor/core!PAGE_BYTES | `PAGE_BYTES`}.
 *
 * @example
 * ```ts
 * const page = new Uint8Array(PAGE_BYTES);
 * ```
 */
export const PAGE_BYTES = CORE_PAGE_BYTES;
/**
 * The first HVM special page in Xen 4.2's `xc_hvm_build_x86.c`: `special_pfn(0) = 0xff000 − 8`, the paging ring gfn.
 *
 * @example
 * ```ts
 * const pagingRingGfn = HVM_SPECIAL_PFN_BASE + 0; // Xen 4.2's special page 0 is the paging ring
 * ```
 */
export const HVM_SPECIAL_PFN_BASE = 0xff000 - 8;
/**
 * The MMIO hole below 4 GiB that the simulated HVM E820 leaves: gfns `[0xf0000, 0x100000)`.
 *
 * @example
 * ```ts
 * const [start, end] = HVM_MMIO_HOLE; // the MMIO hole below 4 GiB
 * ```
 */
export const HVM_MMIO_HOLE: readonly [number, number] = [0xf0000, 0x100000];
/**
 * The legacy VGA/BIOS hole: gfns `[0xa0, 0x100)`.
 *
 * @example
 * ```ts
 * const [start, end] = HVM_LOW_HOLE; // the VGA/BIOS hole [0xa0, 0x100)
 * ```
 */
export const HVM_LOW_HOLE: readonly [number, number] = [0xa0, 0x100];

/**
 * `PGC_state` values of a machine frame (`count_info` bits 55–56 on x86_64).
 *
 * @example
 * ```ts
 * hv.frames.state[mfn] === FrameState.offlining; // goes offline when its owner frees it
 * ```
 */
export const FrameState = Object.freeze({
  /** Allocated to a domain or Xen. */
  inuse: 0,
  /** Owned, to be offlined when freed. */
  offlining: 1,
  /** Offlined: never allocated again. */
  offlined: 2,
  /** On the free list. */
  free: 3,
});
/**
 * A {@link FrameState} value.
 *
 * @example
 * ```ts
 * const state: FrameStateValue = hv.frames.state[mfn] as FrameStateValue;
 * ```
 */
export type FrameStateValue = (typeof FrameState)[keyof typeof FrameState];

/**
 * Page types (`PGT_*` of `type_info`) the simulator tracks.
 *
 * @example
 * ```ts
 * hv.frames.type[mfn] === PageType.writable; // mapped writable somewhere
 * ```
 */
export const PageType = Object.freeze({
  /** `PGT_none`: no type. */
  none: 0,
  /** `PGT_writable_page`. */
  writable: 1,
  /** `PGT_l1_page_table`. */
  l1: 2,
  /** `PGT_l2_page_table`. */
  l2: 3,
  /** `PGT_l3_page_table`. */
  l3: 4,
  /** `PGT_l4_page_table`. */
  l4: 5,
  /** `PGT_seg_desc_page`. */
  segdesc: 6,
});

/** Xen 4.2's `p2m_type_t` in declaration order, with 4.1's `ram_paging_in_start` after `ram_paging_in`. */
const SIM_P2M_ORDER = (() => {
  const xen42 = (Object.entries(P2M_TYPES_XEN_4_2) as [P2mTypeName, number][]).sort((a, b) => a[1] - b[1]).map(([name]) => name);
  xen42.splice(xen42.indexOf('ram_paging_in') + 1, 0, 'ram_paging_in_start');
  return xen42;
})();

/**
 * The simulator's own numbering of p2m types: Xen 4.2's `p2m_type_t` with 4.1's `ram_paging_in_start`
 * added after `ram_paging_in`, so every era's states fit in one p2m (`ram_rw` 0, `invalid` 1, ...,
 * `ram_paging_in` 11, `ram_paging_in_start` 12, `ram_shared` 13, `ram_broken` 14). Requests carry the
 * ABI's numbering instead (Xen 4.1 and 4.2 numbered them differently, `asm-x86/p2m.h`); see
 * `PagingProtocol.p2mTypes`.
 *
 * @example
 * ```ts
 * hv.domain(domid).p2mType[gfn] === P2mType.ram_paged;
 * ```
 */
export const P2mType = numberedInOrder(SIM_P2M_ORDER) as Readonly<Record<SimP2mTypeName, number>>;

/**
 * The p2m types the simulator models.
 *
 * @example
 * ```ts
 * const name: SimP2mTypeName = 'ram_paging_in_start';
 * ```
 */
export type SimP2mTypeName = 'ram_rw' | 'invalid' | 'ram_logdirty' | 'ram_ro' | 'mmio_dm' | 'mmio_direct' | 'populate_on_demand' | 'grant_map_rw' | 'grant_map_ro' | 'ram_paging_out' | 'ram_paged' | 'ram_paging_in' | 'ram_paging_in_start' | 'ram_shared' | 'ram_broken';
/**
 * A {@link P2mType} value.
 *
 * @example
 * ```ts
 * const type: P2mTypeValue = hv.domain(domid).p2mType[gfn] as P2mTypeValue;
 * ```
 */
export type P2mTypeValue = (typeof P2mType)[keyof typeof P2mType];

/**
 * `p2m_is_paging`: paging_out, paged, paging_in and 4.1's paging_in_start.
 *
 * @example
 * ```ts
 * isPagingType(P2mType.ram_paging_out); // true
 * ```
 */
export function isPagingType(type: number): boolean {
  return type >= P2mType.ram_paging_out && type <= P2mType.ram_paging_in_start;
}

/**
 * Types guest accesses succeed on without a fault.
 *
 * @example
 * ```ts
 * isGuestRam(P2mType.ram_rw); // true
 * isGuestRam(P2mType.ram_paged); // false
 * ```
 */
export function isGuestRam(type: number): boolean {
  return type === P2mType.ram_rw || type === P2mType.ram_logdirty;
}

/**
 * Whether the gfn is part of the guest's memory: RAM, or RAM being paged (not a hole, not ballooned out).
 *
 * @example
 * ```ts
 * isGuestMemory(P2mType.ram_paged); // true: the gfn holds guest memory, paged out or not
 * ```
 */
export function isGuestMemory(type: number): boolean {
  return isGuestRam(type) || isPagingType(type);
}
