/**
 * `XEN_SYSCTL_page_offline_op` (sysctl 14) results, one u32 per mfn (`xen/include/public/sysctl.h`). Offline and online
 * results share the low bits; query results use their own.
 *
 * @example
 * ```ts
 * const status = hypervisor.pageOffline!('offline', mfn);
 * if (status & PG_OFFLINE.PENDING) console.log('goes offline when its owner frees it');
 * ```
 */
export const PG_OFFLINE = Object.freeze({
  /** `PG_OFFLINE_STATUS_MASK`. */
  STATUS_MASK: 0xff,
  /** `PG_OFFLINE_INVALID`. */
  INVALID: 1 << 0,
  /** `PG_OFFLINE_OFFLINED` (= `PG_ONLINE_ONLINED` for an online op). */
  OFFLINED: 1 << 1,
  /** `PG_OFFLINE_PENDING`: the frame is owned; it goes offline when its owner frees it. */
  PENDING: 1 << 2,
  /** `PG_OFFLINE_FAILED` (= `PG_ONLINE_FAILED`). */
  FAILED: 1 << 3,
  /** `PG_OFFLINE_AGAIN` (4.2): a broken page with an owner; the owner was crashed. */
  AGAIN: 1 << 4,
  /** `PG_OFFLINE_XENPAGE`: a page of Xen's own. */
  XENPAGE: 1 << 8,
  /** `PG_OFFLINE_DOM0PAGE`. */
  DOM0PAGE: 1 << 9,
  /** `PG_OFFLINE_ANONYMOUS`: in use, with no owner. */
  ANONYMOUS: 1 << 10,
  /** `PG_OFFLINE_NOT_CONV_RAM`. */
  NOT_CONV_RAM: 1 << 11,
  /** `PG_OFFLINE_OWNED`: a domain owns it (its id in bits 16–31). */
  OWNED: 1 << 12,
  /** `PG_OFFLINE_BROKEN` (= `PG_ONLINE_BROKEN`). */
  BROKEN: 1 << 13,
  /** `PG_OFFLINE_OWNER_SHIFT`. */
  OWNER_SHIFT: 16,
});

/**
 * `query_page_offline` result bits.
 *
 * @example
 * ```ts
 * if (hypervisor.pageOffline!('query', mfn) & PG_OFFLINE_QUERY.OFFLINED) console.log('offlined');
 * ```
 */
export const PG_OFFLINE_QUERY = Object.freeze({
  /** `PG_OFFLINE_STATUS_OFFLINED`. */
  OFFLINED: 1 << 1,
  /** `PG_OFFLINE_STATUS_ONLINE`. */
  ONLINE: 1 << 2,
  /** `PG_OFFLINE_STATUS_OFFLINE_PENDING`. */
  OFFLINE_PENDING: 1 << 3,
  /** `PG_OFFLINE_STATUS_BROKEN`. */
  BROKEN: 1 << 4,
});

/**
 * The sysctl's commands: `sysctl_page_offline` 1, `sysctl_page_online` 2, `sysctl_query_page_offline` 3.
 *
 * @example
 * ```ts
 * hypervisor.pageOffline?.('query', mfn);
 * ```
 */
export type PageOfflineOp = 'offline' | 'online' | 'query';

/**
 * The owner domid in an offline status (bits 16–31).
 *
 * @example
 * ```ts
 * const status = hypervisor.pageOffline!('offline', mfn);
 * if (status & PG_OFFLINE.OWNED) console.log(`owned by domain ${offlineOwner(status)}`);
 * ```
 */
export function offlineOwner(status: number): number {
  return status >>> PG_OFFLINE.OWNER_SHIFT;
}

/**
 * A frame's state as a query reports it: `offlined`, `offline-pending`, `broken` or `online`.
 *
 * @example
 * ```ts
 * queriedState(hypervisor.pageOffline!('query', mfn)); // 'offlined' | 'offline-pending' | 'broken' | 'online'
 * ```
 */
export function queriedState(status: number): 'offlined' | 'offline-pending' | 'broken' | 'online' {
  if (status & PG_OFFLINE_QUERY.OFFLINED) return 'offlined';
  if (status & PG_OFFLINE_QUERY.OFFLINE_PENDING) return 'offline-pending';
  if (status & PG_OFFLINE_QUERY.BROKEN) return 'broken';
  return 'online';
}
