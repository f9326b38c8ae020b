/** Counters every page store keeps. */
export interface PageStoreStats {
  /** Pages held now. */
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
 * Where paged-out pages live, keyed by gfn (issue 6 §1).
 *
 * @remarks
 * Batches are parallel arrays: `gfns[0 … count)` and `pages`, which holds `count` pages of 4096 bytes
 * back to back, so the hot path passes no object per page.
 *
 * Durability: a write is *acknowledged* when the promise of the {@link PageStore.flush} that follows it
 * resolves; after that, the store guarantees the page survives a crash of the process (stores without
 * persistence, like the memory store, say so in their docs). Reads of acknowledged or unacknowledged
 * writes return the latest content.
 *
 * @example
 * ```ts
 * const gfns = Uint32Array.of(7, 9);
 * const pages = new Uint8Array(2 * 4096);
 * await store.writeBatch(gfns, pages, 2);
 * await store.flush();
 * await store.readBatch(gfns, 2, pages);
 * ```
 */
export interface PageStore {
  /** The store's name (`memory`, `pagefile`, ...). */
  readonly name: string;
  /** Writes `count` pages; a gfn written before is overwritten. */
  writeBatch(gfns: Uint32Array, pages: Uint8Array, count: number): Promise<void>;
  /**
   * Reads `count` pages into `into` (4096 bytes each, in `gfns` order).
   *
   * @throws {@link StoreError} `STORE_MISSING` naming the first gfn it does not hold, `STORE_CORRUPT`
   * for a page that fails its check, `STORE_IO` for an I/O error.
   */
  readBatch(gfns: Uint32Array, count: number, into: Uint8Array): Promise<void>;
  /** Forgets `count` gfns (missing ones are ignored). */
  deleteBatch(gfns: Uint32Array, count: number): Promise<void>;
  /** Makes every write so far durable (see the remarks). */
  flush(): Promise<void>;
  /** Releases the store's resources; later calls throw `STORE_CLOSED`. */
  close(): Promise<void>;
  /** Current counters. */
  stats(): PageStoreStats;
}
