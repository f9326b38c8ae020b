/**
 * A PTE's location: the page-table frame and the entry's index in it.
 *
 * @example
 * ```ts
 * for (const at of pv.ptesPointingTo(domid, mfn)) console.log(at.table, at.index, pv.readPte(domid, at));
 * ```
 */
export interface PteLocation {
  /** The page-table frame. */
  readonly table: number;
  /** The entry, 0 … 511. */
  readonly index: number;
}

/**
 * What a PV domain is, for the exchange.
 *
 * @example
 * ```ts
 * const info = hypervisor.pv?.pvDomain(domid);
 * if (info && !info.suspended) console.log('suspend it first');
 * ```
 */
export interface PvDomainInfo {
  /** Shut down with `SHUTDOWN_suspend` (xc_exchange_page requires it). */
  readonly suspended: boolean;
  /** A 32-bit PAE guest on a 64-bit host (its L3 tables cannot be exchanged). */
  readonly pae: boolean;
}

/**
 * The PV operations `xc_exchange_page` uses (RELEASE-4.2.0 `tools/libxc/xc_offline_page.c`), for hypervisors that run PV guests.
 * Optional on a hypervisor: the `pv-exchange` offline handler needs them.
 *
 * @example
 * ```ts
 * const pv = hypervisor.pv;
 * if (pv) pv.resumeDomain(domid);
 * ```
 */
export interface PvPort {
  /** The PV domain, or undefined for an HVM one. */
  pvDomain(domid: number): PvDomainInfo | undefined;
  /** The pinned table level of a frame (1–4), or 0 (`pfn_type & LPINTAB`). */
  pinnedLevel(domid: number, mfn: number): number;
  /** `MMUEXT_PIN_L<level>_TABLE`. */
  pin(domid: number, mfn: number, level: number): void;
  /** `MMUEXT_UNPIN_TABLE`. */
  unpin(domid: number, mfn: number): void;
  /** Whether a grant entry of the domain (v2, else v1) grants this frame. */
  isGranted(domid: number, mfn: number): boolean;
  /** Every PTE of the domain's page tables that points at `mfn`. */
  ptesPointingTo(domid: number, mfn: number): PteLocation[];
  /** A PTE's value (frame number × 4096 + flags). */
  readPte(domid: number, at: PteLocation): number;
  /** `MMU_PT_UPDATE_PRESERVE_AD`: writes a PTE, keeping its Accessed and Dirty bits. */
  updatePte(domid: number, at: PteLocation, pte: number): void;
  /** `XENMEM_exchange` of one page: steals `mfn`, gives a new frame whose M2P is `gpfn`; returns it. */
  exchange(domid: number, mfn: number, gpfn: number): number;
  /** A frame's 4096 bytes. */
  readFrame(mfn: number): Uint8Array;
  /** Writes a frame's 4096 bytes. */
  writeFrame(mfn: number, bytes: Uint8Array): void;
  /** The guest's p2m: `p2m[gpfn] = mfn` (the mapped p2m frame list). */
  setP2m(domid: number, gpfn: number, mfn: number): void;
  /** `xc_domain_resume(…, fast = 1)`. */
  resumeDomain(domid: number): void;
}

/**
 * `_PAGE_PRESENT`.
 *
 * @example
 * ```ts
 * pv.updatePte(domid, at, pv.readPte(domid, at) - PTE_PRESENT); // clear _PAGE_PRESENT
 * ```
 */
export const PTE_PRESENT = 0x1;
/**
 * `_PAGE_ACCESSED`.
 *
 * @example
 * ```ts
 * const accessed = (pv.readPte(domid, at) & PTE_ACCESSED) !== 0;
 * ```
 */
export const PTE_ACCESSED = 0x20;
/**
 * `_PAGE_DIRTY`.
 *
 * @example
 * ```ts
 * const dirty = (pv.readPte(domid, at) & PTE_DIRTY) !== 0;
 * ```
 */
export const PTE_DIRTY = 0x40;
