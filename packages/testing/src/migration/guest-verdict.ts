import { MIGRATION_BATCH_PAGES, type PageStore } from '@pagevisor/core';
import { INVALID_MFN, P2mType, PAGE_BYTES } from '../sim/sim-constants.js';
import { readPagesOrEach } from './read-pages.js';
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
  // Every RAM gfn the guest holds; those without a frame count as mismatches there, and a paged-out
  // one is read from the store instead.
  const memory = hv.contentMismatches(domid);
  const mismatches: number[] = [];
  const paged: number[] = [];
  for (const gfn of memory.mismatches) (d.p2mMfn[gfn] === INVALID_MFN && d.p2mType[gfn] === P2mType.ram_paged ? paged : mismatches).push(gfn);
  const gfns = new Uint32Array(MIGRATION_BATCH_PAGES);
  const pages = new Uint8Array(MIGRATION_BATCH_PAGES * PAGE_BYTES);
  for (let at = 0; at < paged.length; at += MIGRATION_BATCH_PAGES) {
    const count = Math.min(MIGRATION_BATCH_PAGES, paged.length - at);
    for (let i = 0; i < count; i++) gfns[i] = paged[at + i]!;
    let errors: unknown[] | undefined;
    try {
      errors = await readPagesOrEach(store, gfns, count, pages);
    } catch (error) {
      errors = new Array(count).fill(error); // the store cannot be read at all: none of them is there
    }
    for (let i = 0; i < count; i++) {
      const gfn = gfns[i]!;
      // Not in the store, or damaged there: lost.
      if (errors?.[i] !== undefined || !Buffer.from(pages.buffer, i * PAGE_BYTES, PAGE_BYTES).equals(hv.expectedContent(domid, gfn))) mismatches.push(gfn);
    }
  }
  mismatches.sort((a, b) => a - b);
  return { checked: memory.checked, pagedOut: paged.length, mismatches };
}
