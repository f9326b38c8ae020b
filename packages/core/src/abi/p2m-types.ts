/**
 * Names of Xen's `p2m_type_t` values, without the `p2m_` prefix.
 *
 * @example
 * ```ts
 * const name: P2mTypeName = 'ram_paged';
 * P2M_TYPES_XEN_4_2[name]; // its number on Xen 4.2
 * ```
 */
export type P2mTypeName =
  | 'ram_rw'
  | 'invalid'
  | 'ram_logdirty'
  | 'ram_ro'
  | 'mmio_dm'
  | 'mmio_direct'
  | 'populate_on_demand'
  | 'grant_map_rw'
  | 'grant_map_ro'
  | 'ram_paging_out'
  | 'ram_paged'
  | 'ram_paging_in'
  | 'ram_paging_in_start'
  | 'ram_shared'
  | 'ram_broken'
  | 'map_foreign'
  | 'mmio_write_dm'
  | 'ioreq_server';

/**
 * A `p2m_type_t` numbering: type name → the number the `p2mt` field carries.
 *
 * @example
 * ```ts
 * const numbering: P2mTypeNumbering = abi.protocol.p2mTypes;
 * ```
 */
export type P2mTypeNumbering = Readonly<Partial<Record<P2mTypeName, number>>>;

/** `p2m_type_t` of Xen 4.0 and 4.1 in declaration order (RELEASE-4.0.0 `xen/include/asm-x86/p2m.h`). */
const XEN_4_0_ORDER: readonly P2mTypeName[] = [
  'invalid',
  'ram_rw',
  'ram_logdirty',
  'ram_ro',
  'mmio_dm',
  'mmio_direct',
  'populate_on_demand',
  'grant_map_rw',
  'grant_map_ro',
  'ram_paging_out',
  'ram_paged',
  'ram_paging_in',
  'ram_paging_in_start',
  'ram_shared',
];

/**
 * `p2m_type_t` of Xen 4.2 to 4.5 in declaration order (RELEASE-4.2.0): 4.0's, with `ram_rw` moved to 0
 * before `invalid`, `ram_paging_in_start` gone, and `ram_broken` (4.1's addition) last.
 */
const XEN_4_2_ORDER: readonly P2mTypeName[] = ['ram_rw', 'invalid', ...XEN_4_0_ORDER.slice(2).filter((name) => name !== 'ram_paging_in_start'), 'ram_broken'];

/**
 * The numbering of an enum given in declaration order: each type's number is its position, as C numbers
 * `p2m_type_t`. Every numbering of Xen's, and the simulator's own, is built this way from one list.
 *
 * @param order - the types, first is 0
 * @returns type name → number, frozen
 *
 * @example
 * ```ts
 * numberedInOrder(['ram_rw', 'invalid']); // { ram_rw: 0, invalid: 1 }
 * ```
 */
export function numberedInOrder<N extends string>(order: readonly N[]): Readonly<Record<N, number>> {
  return Object.freeze(Object.fromEntries(order.map((name, i) => [name, i]))) as Readonly<Record<N, number>>;
}

/**
 * Xen 4.0 numbering (RELEASE-4.0.0 `xen/include/asm-x86/p2m.h`): 4.1's without `ram_broken`.
 *
 * @example
 * ```ts
 * P2M_TYPES_XEN_4_0.ram_paging_in_start; // 12
 * ```
 */
export const P2M_TYPES_XEN_4_0: P2mTypeNumbering = numberedInOrder(XEN_4_0_ORDER);

/**
 * Xen 4.1 numbering (ages 1–3), with `paging_in_start` (RELEASE-4.1.0 `xen/include/asm-x86/p2m.h`).
 *
 * @example
 * ```ts
 * P2M_TYPES_XEN_4_1.ram_paged; // the number this Xen gives p2m_ram_paged
 * ```
 */
export const P2M_TYPES_XEN_4_1: P2mTypeNumbering = numberedInOrder([...XEN_4_0_ORDER, 'ram_broken']);

/**
 * Xen 4.2 numbering: `ram_rw` and `invalid` swapped (d5688e96d6) and `paging_in_start` renamed to
 * `paging_in` (af518d3ea1).
 *
 * @example
 * ```ts
 * P2M_TYPES_XEN_4_2.ram_paged; // the number this Xen gives p2m_ram_paged
 * ```
 */
export const P2M_TYPES_XEN_4_2: P2mTypeNumbering = numberedInOrder(XEN_4_2_ORDER);

/**
 * Xen 4.6–4.7 numbering (`vm_event/v1`): 4.2 plus `map_foreign` and `mmio_write_dm`.
 *
 * @example
 * ```ts
 * P2M_TYPES_XEN_4_6.ram_paged; // the number this Xen gives p2m_ram_paged
 * ```
 */
export const P2M_TYPES_XEN_4_6: P2mTypeNumbering = numberedInOrder([...XEN_4_2_ORDER, 'map_foreign', 'mmio_write_dm']);

/**
 * Xen 4.8+ numbering (`vm_event/v2` onwards): `mmio_write_dm` renamed `ioreq_server`.
 *
 * @example
 * ```ts
 * P2M_TYPES_XEN_4_8.ram_paged; // the number this Xen gives p2m_ram_paged
 * ```
 */
export const P2M_TYPES_XEN_4_8: P2mTypeNumbering = numberedInOrder([...XEN_4_2_ORDER, 'map_foreign', 'ioreq_server']);
