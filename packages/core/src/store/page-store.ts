import { PAGE_BYTES } from '../page-bytes.js';

/**
 * Bytes of one guest page, and the most a store record holds.
 *
 * @example
 * ```ts
 * const pages = new Uint8Array(count * STORE_PAGE_BYTES);
 * ```
 */
export const STORE_PAGE_BYTES = PAGE_BYTES;

/**
 * Counters every page store keeps.
 *
 * @example
 * ```ts
 * const { pages, bytes, writes, reads, deletes } = store.stats();
 * ```
 */
export interface PageStoreStats {
  /** Pages (records) held now. */
  readonly pages: number;
  /** Bytes the store uses for them (after compression, including metadata where known). */
  readonly bytes: number;
  /** Pages written since open. */
  readonly writes: number;
  /** Pages read since open. */
  readonly reads: number;
  /** Pages deleted since open. */
  readonly deletes: number;
}

/**
 * Where paged-out pages live, keyed by gfn (docs/guides/stores.md).
 *
 * @remarks
 * **Batches** are parallel arrays: `gfns[0 … count)` and `pages`, which holds `count` slots of 4096
 * bytes back to back, so the hot path passes no object per page.
 *
 * **Records.** A store keeps, per gfn, one record of 0 … 4096 bytes. A pager writes whole pages (4096
 * bytes, the default). A wrapper such as the compression store passes `lengths` to keep shorter records;
 * every store round-trips the length, and stores that hold variable-length values (memory, SQLite,
 * Redis) use only that many bytes.
 *
 * **Order.** Calls take effect in the order they are made, even when the caller does not await one
 * before making the next: a later write of a gfn wins over an earlier one.
 *
 * **Durability.** A write or delete is *acknowledged* when the promise of a {@link PageStore.flush}
 * called after it resolves. A {@link PageStore.durable | durable} store guarantees that an acknowledged
 * write survives a crash of the process (a SIGKILL, say) and is found, intact, on reopen; an
 * unacknowledged one may or may not be. A store that is not durable (the memory store) keeps nothing
 * past its process.
 *
 * **Integrity.** A record that fails its check on read is a `STORE_CORRUPT` {@link @pagevisor/core!StoreError | StoreError} naming
 * the gfn; the store's other records stay readable.
 *
 * @example
 * ```ts
 * const gfns = Uint32Array.of(7, 9);
 * const pages = new Uint8Array(2 * 4096);
 * await store.writeBatch(gfns, pages, 2);
 * await store.flush(); // both pages acknowledged
 * await store.readBatch(gfns, 2, pages);
 * await store.close();
 * ```
 */
export interface PageStore extends AsyncDisposable {
  /** The store's name (`memory`, `pagefile`, `sqlite`, `redis`, ...). */
  readonly name: string;
  /** Whether acknowledged writes survive the process (see the remarks). */
  readonly durable: boolean;
  /**
   * Writes `count` records; a gfn written before is overwritten.
   *
   * @param gfns - the gfns, `gfns[0 … count)`
   * @param pages - `count` slots of 4096 bytes, record `i` at `i * 4096`
   * @param count - how many records
   * @param lengths - bytes of each record (default 4096 for all), each 0 … 4096
   * @throws {@link @pagevisor/core!StoreError | StoreError} `STORE_ARGUMENT` for a gfn the store cannot hold or a bad length,
   * `STORE_IO` for an I/O error, `STORE_CLOSED` after close.
   */
  writeBatch(gfns: Uint32Array, pages: Uint8Array, count: number, lengths?: Uint16Array): Promise<void>;
  /**
   * Reads `count` records into `into` (one 4096-byte slot each, in `gfns` order); the bytes of a slot
   * past its record's length are zero.
   *
   * @param lengths - if given, receives each record's length
   * @throws {@link @pagevisor/core!StoreError | StoreError} `STORE_MISSING` naming the first gfn it does not hold, `STORE_CORRUPT`
   * for a record that fails its check, `STORE_IO` for an I/O error.
   */
  readBatch(gfns: Uint32Array, count: number, into: Uint8Array, lengths?: Uint16Array): Promise<void>;
  /** Forgets `count` gfns (missing ones are ignored). */
  deleteBatch(gfns: Uint32Array, count: number): Promise<void>;
  /** Acknowledges every write and delete so far: durable stores make them survive a crash. */
  flush(): Promise<void>;
  /** Flushes and releases the store's resources; later calls throw `STORE_CLOSED`; closing twice is a no-op. */
  close(): Promise<void>;
  /** Closes the store, for `await using`. */
  [Symbol.asyncDispose](): Promise<void>;
  /** Current counters. */
  stats(): PageStoreStats;
}
