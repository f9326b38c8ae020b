import { HVM_LOW_HOLE, HVM_MMIO_HOLE } from './sim-constants.js';

/**
 * One range of the guest's E820 map, in gfns: `[start, end)`.
 *
 * @example
 * ```ts
 * for (const range of hv.domain(domid).e820) if (range.type === 'ram') console.log(range.start, range.end);
 * ```
 */
export interface E820Entry {
  /** First gfn. */
  readonly start: number;
  /** One past the last gfn. */
  readonly end: number;
  /** `ram` is populated at boot; `reserved` is a hole (VGA/BIOS, the MMIO hole with the special pages). */
  readonly type: 'ram' | 'reserved';
}

/**
 * The E820 map of a simulated HVM guest of `maxPages` gfns, as hvmloader lays it out: RAM below the
 * VGA hole, the hole `[0xa0, 0x100)`, RAM up to the MMIO hole `[0xf0000, 0x100000)` (which holds the
 * HVM special pages, the paging ring among them), and RAM above 4 GiB.
 *
 * @example
 * ```ts
 * hvmE820(4096); // [{ start: 0, end: 0xa0, type: 'ram' }, { start: 0xa0, end: 0x100, type: 'reserved' }, ...]
 * ```
 */
export function hvmE820(maxPages: number): E820Entry[] {
  const map: E820Entry[] = [];
  const add = (start: number, end: number, type: E820Entry['type']) => {
    if (end > start && start < maxPages) map.push({ start, end: Math.min(end, maxPages), type });
  };
  add(0, HVM_LOW_HOLE[0], 'ram');
  add(HVM_LOW_HOLE[0], HVM_LOW_HOLE[1], 'reserved');
  add(HVM_LOW_HOLE[1], HVM_MMIO_HOLE[0], 'ram');
  add(HVM_MMIO_HOLE[0], HVM_MMIO_HOLE[1], 'reserved');
  add(HVM_MMIO_HOLE[1], maxPages, 'ram');
  return map;
}
