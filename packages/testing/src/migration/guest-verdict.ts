import type { PageStore } from '@pagevisor/core';
import { INVALID_MFN, P2mType, PAGE_BYTES, isGuestRam } from '../sim/sim-constants.js';
import type { SimHypervisor } from '../sim/sim-hypervisor.js';

/**
 * Whether every page of a guest is what it last wrote, wherever the page is: in memory, or paged out
 * in its pager's store.
 *
 * @example
 * ```ts
 * const { checked, mismatches } = await guestVerdict(xen, guest.domid, pager.pageStore);
 * ```
 */
export interface GuestVerdict {
  /** Pages checked: every RAM gfn, resident or paged out. */
  readonly checked: number;
  /** Of those, the ones paged out (checked in the store). */
  readonly pagedOut: number;
  /** gfns whose content is not the guest's (a page lost, stale or unreadable), ascending. */
  readonly mismatches: readonly number[];
}

/**
 * Checks every RAM gfn of `domid`: a resident page against the content the guest last wrote, a
 * paged-out one by reading it from `store` (without paging it in). Reads only.
 *
 * @example
 * ```ts
 * expect((await guestVerdict(xen, guest.domid, pager.pageStore)).mismatches).toEqual([]);
 * ```
 */
export async function guestVerdict(hv: SimHypervisor, domid: number, store: PageStore): Promise<GuestVerdict> {
  const d = hv.domain(domid);
  const resident = hv.contentMismatches(domid);
  const mismatches: number[] = [];
  const page = new Uint8Array(PAGE_BYTES);
  let pagedOut = 0;
  for (const gfn of resident.mismatches) {
    if (d.p2mMfn[gfn] !== INVALID_MFN || d.p2mType[gfn] !== P2mType.ram_paged) {
      mismatches.push(gfn);
      continue;
    }
    pagedOut++;
    try {
      await store.readBatch(Uint32Array.of(gfn), 1, page);
      if (!Buffer.from(page).equals(Buffer.from(hv.expectedContent(domid, gfn)))) mismatches.push(gfn);
    } catch {
      mismatches.push(gfn); // not in the store, or damaged there: lost
    }
  }
  let checked = 0;
  for (let gfn = 0; gfn < d.maxPages; gfn++) if (isGuestRam(d.p2mType[gfn]!) || d.p2mType[gfn] === P2mType.ram_paged) checked++;
  return { checked, pagedOut, mismatches };
}
