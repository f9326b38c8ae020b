import { StoreError } from '../errors/store-error.js';
import { STORE_PAGE_BYTES, type PageStore, type PageStoreStats } from './page-store.js';

/**
 * The base of a {@link PageStore} that keeps the contract for you: argument checks (`STORE_ARGUMENT`),
 * the call order (each call runs after the previous one has settled, so a read sees every earlier
 * write), `STORE_CLOSED` after close, close-once with a final flush, read-only opening
 * (`STORE_READ_ONLY`), `await using`, and the counters of `stats()`. Every built-in store extends it.
 *
 * @remarks
 * A subclass implements the `do*` methods, whose arguments are already checked, and keeps
 * `this.pages` up to date. A store that opens asynchronously calls
 * `this.startOpening(open)` in its constructor; every call then waits for the open, and rejects
 * with its error if it failed. Run `runStoreConformance` from `@pagevisor/testing` on the result.
 *
 * @example
 * ```ts
 * import { StoreBase, StoreError, recordLength, STORE_PAGE_BYTES } from '@pagevisor/core';
 *
 * class MapStore extends StoreBase {
 *   readonly name = 'map';
 *   readonly durable = false;
 *   private readonly records = new Map<number, Uint8Array>();
 *   constructor(maxPages: number) {
 *     super('map store', maxPages);
 *   }
 *   protected async doWrite(gfns: Uint32Array, pages: Uint8Array, count: number, lengths?: Uint16Array) {
 *     for (let i = 0; i < count; i++) {
 *       if (!this.records.has(gfns[i]!)) this.pages++;
 *       const at = i * STORE_PAGE_BYTES;
 *       this.records.set(gfns[i]!, pages.slice(at, at + recordLength(lengths, i)));
 *     }
 *   }
 *   protected async doRead(gfns: Uint32Array, count: number, into: Uint8Array, lengths?: Uint16Array) {
 *     for (let i = 0; i < count; i++) {
 *       const record = this.records.get(gfns[i]!);
 *       if (record === undefined) throw new StoreError('STORE_MISSING', `map store: no page for gfn ${gfns[i]}`, { gfn: gfns[i] });
 *       into.fill(0, i * STORE_PAGE_BYTES, (i + 1) * STORE_PAGE_BYTES).set(record, i * STORE_PAGE_BYTES);
 *       if (lengths) lengths[i] = record.length;
 *     }
 *   }
 *   protected async doDelete(gfns: Uint32Array, count: number) {
 *     for (let i = 0; i < count; i++) if (this.records.delete(gfns[i]!)) this.pages--;
 *   }
 *   protected async doFlush() {}
 *   protected async doClose() {}
 *   protected bytesUsed() {
 *     return this.pages * STORE_PAGE_BYTES;
 *   }
 * }
 * ```
 */
export abstract class StoreBase implements PageStore {
  /** The store's name (`memory`, `pagefile`, `sqlite`, `redis`, ...). */
  abstract readonly name: string;
  /** Whether acknowledged writes survive the process (see the `PageStore` remarks). */
  abstract readonly durable: boolean;
  /** Records held now; kept by the store. */
  protected pages = 0;
  /**
   * Whether the store was opened read-only (set by the subclass before it starts opening): writes and
   * deletes reject with `STORE_READ_ONLY`, and flush and close write nothing, so inspecting a store
   * never changes it.
   */
  protected readOnly = false;
  private writes = 0;
  private reads = 0;
  private deletes = 0;
  private tail: Promise<unknown> = Promise.resolve();
  /** Calls started and not yet settled. */
  private inFlight = 0;
  /** Settles when the store is open (see {@link StoreBase.startOpening}). */
  protected opening: Promise<void> = Promise.resolve();
  /** Whether `opening` has resolved: calls then need not wait for it. */
  private open = true;
  private closed = false;
  private readonly settled = (): void => {
    this.inFlight--;
  };

  /**
   * @param label - names the store in error messages (`pagefile /x/y`, `redis pv:1`)
   * @param maxPages - gfns the store may hold are `[0, maxPages)`
   */
  protected constructor(
    protected readonly label: string,
    readonly maxPages: number,
  ) {}

  writeBatch(gfns: Uint32Array, pages: Uint8Array, count: number, lengths?: Uint16Array): Promise<void> {
    return this.enqueue(async () => {
      this.refuseIfReadOnly('write');
      this.checkBatch(gfns, count, pages, lengths);
      await this.doWrite(gfns, pages, count, lengths);
      this.writes += count;
    });
  }

  readBatch(gfns: Uint32Array, count: number, into: Uint8Array, lengths?: Uint16Array): Promise<void> {
    return this.enqueue(async () => {
      this.checkBatch(gfns, count, into, lengths);
      await this.doRead(gfns, count, into, lengths);
      this.reads += count;
    });
  }

  deleteBatch(gfns: Uint32Array, count: number): Promise<void> {
    return this.enqueue(async () => {
      this.refuseIfReadOnly('delete');
      if (count > gfns.length) throw new StoreError('STORE_ARGUMENT', `${this.label}: ${count} gfns asked, ${gfns.length} given`);
      const before = this.heldPages();
      await this.doDelete(gfns, count);
      this.deletes += before - this.heldPages();
    });
  }

  flush(): Promise<void> {
    return this.enqueue(() => (this.readOnly ? Promise.resolve() : this.doFlush()));
  }

  close(): Promise<void> {
    if (this.closed) return this.tail.then(() => undefined);
    const closing = this.enqueue(async () => {
      try {
        if (!this.readOnly) await this.doFlush();
      } finally {
        await this.doClose();
      }
    });
    this.closed = true;
    return closing;
  }

  /** Closes the store, for `await using`. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  stats(): PageStoreStats {
    return { pages: this.heldPages(), bytes: this.bytesUsed(), writes: this.writes, reads: this.reads, deletes: this.deletes };
  }

  /** Writes `count` records (arguments already checked). */
  protected abstract doWrite(gfns: Uint32Array, pages: Uint8Array, count: number, lengths: Uint16Array | undefined): Promise<void>;
  /** Reads `count` records, zero-filling each slot past its record's length. */
  protected abstract doRead(gfns: Uint32Array, count: number, into: Uint8Array, lengths: Uint16Array | undefined): Promise<void>;
  /** Deletes the gfns it holds, decrementing {@link StoreBase.pages}. */
  protected abstract doDelete(gfns: Uint32Array, count: number): Promise<void>;
  /** Acknowledges every earlier write and delete. */
  protected abstract doFlush(): Promise<void>;
  /** Releases resources (after a final flush). */
  protected abstract doClose(): Promise<void>;
  /** Bytes the store uses. */
  protected abstract bytesUsed(): number;

  /** Records held now: {@link StoreBase.pages}, unless the store counts them elsewhere. */
  protected heldPages(): number {
    return this.pages;
  }

  /** Resolves with `store` once it is open; rejects with the open's error. */
  protected static async whenOpen<S extends StoreBase>(store: S): Promise<S> {
    await store.opening;
    return store;
  }

  /**
   * Starts opening the store: every call waits for it, and if it fails, every call rejects with its
   * error.
   */
  protected startOpening(open: () => Promise<void>): void {
    this.open = false;
    this.opening = open().then(() => {
      this.open = true;
    });
    this.opening.catch(() => undefined); // reported by every call
  }

  /**
   * Runs `operation` after every earlier call has settled; a call after close is `STORE_CLOSED`. With
   * nothing in flight on an open store, it starts at once: a pager that awaits each call (one page per
   * fault) then pays no chain of promise hops per call.
   */
  private enqueue(operation: () => Promise<void>): Promise<void> {
    if (this.closed) return Promise.reject(new StoreError('STORE_CLOSED', `${this.label} is closed`));
    const run = this.inFlight === 0 && this.open ? operation() : this.tail.then(() => this.opening).then(operation);
    this.inFlight++;
    this.tail = run.then(this.settled, this.settled);
    return run;
  }

  /** Runs `operation` in call order, refusing it on a read-only store (for a store's `repair`). */
  protected enqueueChange<T>(what: string, operation: () => Promise<T>): Promise<T> {
    let result!: T;
    return this.enqueue(async () => {
      this.refuseIfReadOnly(what);
      result = await operation();
    }).then(() => result);
  }

  private refuseIfReadOnly(what: string): void {
    if (this.readOnly) throw new StoreError('STORE_READ_ONLY', `${this.label} is open read-only: cannot ${what}`);
  }

  private checkBatch(gfns: Uint32Array, count: number, pages: Uint8Array, lengths: Uint16Array | undefined): void {
    if (!Number.isInteger(count) || count < 0 || count > gfns.length) {
      throw new StoreError('STORE_ARGUMENT', `${this.label}: ${count} records asked, ${gfns.length} gfns given`);
    }
    if (pages.length < count * STORE_PAGE_BYTES) {
      throw new StoreError('STORE_ARGUMENT', `${this.label}: ${count} records need ${count * STORE_PAGE_BYTES} bytes of pages, got ${pages.length}`);
    }
    if (lengths && lengths.length < count) throw new StoreError('STORE_ARGUMENT', `${this.label}: ${count} records, ${lengths.length} lengths`);
    for (let i = 0; i < count; i++) {
      const gfn = gfns[i]!;
      if (gfn >= this.maxPages) {
        throw new StoreError('STORE_ARGUMENT', `${this.label}: gfn 0x${gfn.toString(16)} is beyond the store's ${this.maxPages} pages`, { gfn });
      }
      if (lengths && lengths[i]! > STORE_PAGE_BYTES) {
        throw new StoreError('STORE_ARGUMENT', `${this.label}: record of gfn 0x${gfn.toString(16)} is ${lengths[i]} bytes, more than a page`, { gfn });
      }
    }
  }
}

/**
 * Length of record `i` of a batch: `lengths[i]`, or a whole page when the batch has no lengths.
 *
 * @example
 * ```ts
 * const bytes = pages.subarray(i * STORE_PAGE_BYTES, i * STORE_PAGE_BYTES + recordLength(lengths, i));
 * ```
 */
export function recordLength(lengths: Uint16Array | undefined, i: number): number {
  return lengths ? lengths[i]! : STORE_PAGE_BYTES;
}
