/**
 * What a migration stream says about the domain, before its records.
 *
 * @example
 * ```ts
 * const header: MigrationHeader = { domainType: 'hvm', gfns: 262144 };
 * ```
 */
export interface MigrationHeader {
  /** The domain's kind (the domain header's `type`). */
  readonly domainType: 'pv' | 'hvm';
  /** The domain's gfns, `[0, gfns)`: every gfn a record names is below it. */
  readonly gfns: number;
}

/**
 * Guest pages sent with their contents (PAGE_DATA, Xen's layout): entry `i` is `gfns[i]` of page type
 * `kinds[i]` (a {@link MIGRATION_PAGE} value); the `normal` ones' 4096 bytes follow in `pages`, in
 * entry order.
 *
 * @example
 * ```ts
 * const record: PageDataRecord = { type: 'page-data', count: 1, gfns: Uint32Array.of(7), kinds: Uint8Array.of(MIGRATION_PAGE.normal), pages: new Uint8Array(4096) };
 * ```
 */
export interface PageDataRecord {
  /** The record's kind. */
  readonly type: 'page-data';
  /** Entries, 1 … {@link MIGRATION_BATCH_PAGES}. */
  readonly count: number;
  /** Each entry's gfn, `gfns[0 … count)`. */
  readonly gfns: Uint32Array;
  /** Each entry's page type, a {@link MIGRATION_PAGE} value. */
  readonly kinds: Uint8Array;
  /** 4096 bytes per `normal` entry. */
  readonly pages: Uint8Array;
}

/**
 * Pages the source had paged out, streamed from its store without being paged in: the destination keeps
 * them paged out (it writes them to its own store), entry `i`'s 4096 bytes at `i * 4096`.
 *
 * @example
 * ```ts
 * const record: PagedDataRecord = { type: 'paged-data', count: 1, gfns: Uint32Array.of(9), pages: new Uint8Array(4096) };
 * ```
 */
export interface PagedDataRecord {
  /** The record's kind. */
  readonly type: 'paged-data';
  /** Entries, 1 … {@link MIGRATION_BATCH_PAGES}. */
  readonly count: number;
  /** Each entry's gfn, `gfns[0 … count)`. */
  readonly gfns: Uint32Array;
  /** 4096 bytes per entry. */
  readonly pages: Uint8Array;
}

/**
 * Names the store that the `paged-ref` records after it point into (a pagefile's path, a Redis
 * cluster's address and prefix), as the source's store describes itself; a destination that cannot
 * reach it refuses the stream.
 *
 * @example
 * ```ts
 * const record: StoreRefRecord = { type: 'store-ref', store: JSON.stringify({ name: 'pagefile', path: '/srv/guest7.pagefile' }) };
 * ```
 */
export interface StoreRefRecord {
  /** The record's kind. */
  readonly type: 'store-ref';
  /** The descriptor, UTF-8 text. */
  readonly store: string;
}

/**
 * Pages the source had paged out that stay where they are, in the store of the last `store-ref`: only
 * their gfns travel, and the destination's pager takes them over.
 *
 * @example
 * ```ts
 * const record: PagedRefRecord = { type: 'paged-ref', count: 2, gfns: Uint32Array.of(3, 4) };
 * ```
 */
export interface PagedRefRecord {
  /** The record's kind. */
  readonly type: 'paged-ref';
  /** Entries, 1 … {@link MIGRATION_BATCH_PAGES}. */
  readonly count: number;
  /** Each entry's gfn, `gfns[0 … count)`. */
  readonly gfns: Uint32Array;
}

/**
 * Post-copy: gfns the destination does not have yet, their pages at the source. The source sends
 * them at the switch-over (the pages dirtied since they were sent, and those never sent), before the
 * guest resumes on the destination; the destination sends its list back on a connection that broke and
 * was made again, so the source knows what it still owes (QEMU's postcopy recovery).
 *
 * @example
 * ```ts
 * const record: PostcopyMissingRecord = { type: 'postcopy-missing', count: 2, gfns: Uint32Array.of(5, 6) };
 * ```
 */
export interface PostcopyMissingRecord {
  /** The record's kind. */
  readonly type: 'postcopy-missing';
  /** Entries, 1 … {@link MIGRATION_BATCH_PAGES}. */
  readonly count: number;
  /** Each entry's gfn, `gfns[0 … count)`. */
  readonly gfns: Uint32Array;
}

/**
 * Post-copy, on the return path (destination to source): gfns that faults on the destination wait for;
 * the source sends them before the rest of its background push.
 *
 * @example
 * ```ts
 * const record: PageRequestRecord = { type: 'page-request', count: 1, gfns: Uint32Array.of(42) };
 * ```
 */
export interface PageRequestRecord {
  /** The record's kind. */
  readonly type: 'page-request';
  /** Entries, 1 … {@link MIGRATION_BATCH_PAGES}. */
  readonly count: number;
  /** Each entry's gfn, `gfns[0 … count)`. */
  readonly gfns: Uint32Array;
}

/**
 * The end of pre-copy round `round` (1 for the first, full pass), which sent `pages` pages.
 *
 * @example
 * ```ts
 * const record: RoundRecord = { type: 'round', round: 1, pages: 262144 };
 * ```
 */
export interface RoundRecord {
  /** The record's kind. */
  readonly type: 'round';
  /** The round's number, from 1. */
  readonly round: number;
  /** gfns the round sent. */
  readonly pages: number;
}

/**
 * The last record of a stream (Xen's END).
 *
 * @example
 * ```ts
 * const record: EndRecord = { type: 'end' };
 * ```
 */
export interface EndRecord {
  /** The record's kind. */
  readonly type: 'end';
}

/**
 * One record of a migration stream (docs/guides/migration.md).
 *
 * @example
 * ```ts
 * function describe(record: MigrationRecord): string {
 *   return record.type === 'page-data' ? `${record.count} pages` : record.type;
 * }
 * ```
 */
export type MigrationRecord = PageDataRecord | PagedDataRecord | StoreRefRecord | PagedRefRecord | PostcopyMissingRecord | PageRequestRecord | RoundRecord | EndRecord;
