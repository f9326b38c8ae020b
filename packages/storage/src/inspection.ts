/**
 * One record found by a store's `inspect()`, for fsck-like tools (`pagevisor store dump|verify`).
 *
 * @example
 * ```ts
 * for await (const record of store.inspect()) console.log(record.gfn, record.ok, record.current, record.location);
 * ```
 */
export interface InspectedRecord {
  /** The gfn the record is for, or `undefined` when that cannot be told (a damaged record, a foreign key). */
  readonly gfn: number | undefined;
  /** Whether its checksum holds. */
  readonly ok: boolean;
  /** Whether it is the record the store serves for its gfn; `false` for one a crash left behind. */
  readonly current: boolean;
  /** Where it is: `slot 17`, `row 5`, a Redis key. */
  readonly location: string;
  /** Its bytes (the record, or what could be read of it). */
  readonly data: Uint8Array;
}

/**
 * Counts of a store check: records served and intact, damaged, and left behind.
 *
 * @example
 * ```ts
 * const { ok, corrupt, orphaned } = await checkRecords(store.inspect());
 * if (corrupt > 0) process.exitCode = 1;
 * ```
 */
export interface StoreCheck {
  /** Current records whose checksum holds. */
  readonly ok: number;
  /** Records whose checksum fails, current or not. */
  readonly corrupt: number;
  /** Intact records the store does not serve: older versions a crash left, or keys of no gfn it holds. */
  readonly orphaned: number;
}

/**
 * A store that can list every record it has, for checking.
 *
 * @example
 * ```ts
 * async function damaged(store: InspectableStore): Promise<number> {
 *   let n = 0;
 *   for await (const record of store.inspect()) if (!record.ok) n++;
 *   return n;
 * }
 * const { corrupt, orphaned } = await store.repair(); // what was dropped
 * ```
 */
export interface InspectableStore {
  /** Every record, intact or not, served or not; reads only. */
  inspect(): AsyncIterable<InspectedRecord>;
  /**
   * Drops every record that is not served and intact (damaged ones, served or not, and orphans),
   * makes the store consistent again (a pagefile's header after a truncation), flushes, and says what
   * it dropped. A gfn whose record was damaged then reads as `STORE_MISSING` instead of
   * `STORE_CORRUPT`: its page was lost either way. Rejects with `STORE_READ_ONLY` on a read-only store.
   */
  repair(): Promise<StoreCheck>;
}

/**
 * Counts what `records` holds (see {@link StoreCheck}).
 *
 * @example
 * ```ts
 * const check = await checkRecords(store.inspect()); // { ok: 1000, corrupt: 1, orphaned: 0 }
 * ```
 */
export async function checkRecords(records: AsyncIterable<InspectedRecord>): Promise<StoreCheck> {
  let ok = 0;
  let corrupt = 0;
  let orphaned = 0;
  for await (const record of records) {
    if (!record.ok) corrupt++;
    else if (record.current) ok++;
    else orphaned++;
  }
  return { ok, corrupt, orphaned };
}
