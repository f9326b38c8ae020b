import { PAGE_STORE, StoreError, type PageStore, type PageStoreStats, type PagevisorPlugin } from '@pagevisor/core';

const PAGE_BYTES = 4096;
/** Pages per slab: the store grows 4 MiB at a time. */
const SLAB_PAGES = 1024;

/**
 * A page store in process memory: slabs of 4 KiB slots, a slot index by gfn, a free-slot stack.
 *
 * @remarks
 * Nothing survives the process: `flush` resolves at once and guarantees nothing beyond the process's
 * life. Use it for tests, simulations and guests whose pages may be lost with the pager.
 * Memory: 4 bytes of index per gfn of the domain, plus 4096 bytes per page held.
 *
 * @example
 * ```ts
 * import { MemoryPageStore } from '@pagevisor/storage';
 *
 * const store = new MemoryPageStore(1 << 20);
 * await store.writeBatch(Uint32Array.of(7), new Uint8Array(4096), 1);
 * ```
 */
export class MemoryPageStore implements PageStore {
  readonly name = 'memory';
  private readonly slotOf: Int32Array;
  private readonly slabs: Uint8Array[] = [];
  private freeSlots: Int32Array = new Int32Array(0);
  private freeCount = 0;
  private slotCount = 0;
  private pages = 0;
  private writes = 0;
  private reads = 0;
  private deletes = 0;
  private closed = false;

  /** gfns the store may hold are `[0, maxPages)`. */
  readonly maxPages: number;

  /** @param maxPages - gfns the store may hold are `[0, maxPages)` */
  constructor(maxPages: number) {
    this.maxPages = maxPages;
    this.slotOf = new Int32Array(maxPages).fill(-1);
  }

  async writeBatch(gfns: Uint32Array, pages: Uint8Array, count: number): Promise<void> {
    this.checkOpen();
    for (let i = 0; i < count; i++) {
      const gfn = this.checkGfn(gfns[i]!);
      let slot = this.slotOf[gfn]!;
      if (slot < 0) {
        slot = this.allocate();
        this.slotOf[gfn] = slot;
        this.pages++;
      }
      this.slabs[slot >>> 10]!.set(pages.subarray(i * PAGE_BYTES, (i + 1) * PAGE_BYTES), (slot & (SLAB_PAGES - 1)) * PAGE_BYTES);
    }
    this.writes += count;
  }

  async readBatch(gfns: Uint32Array, count: number, into: Uint8Array): Promise<void> {
    this.checkOpen();
    for (let i = 0; i < count; i++) {
      const gfn = gfns[i]!;
      const slot = gfn < this.maxPages ? this.slotOf[gfn]! : -1;
      if (slot < 0) throw new StoreError('STORE_MISSING', `memory store holds no page for gfn 0x${gfn.toString(16)}`, { gfn });
      const at = (slot & (SLAB_PAGES - 1)) * PAGE_BYTES;
      into.set(this.slabs[slot >>> 10]!.subarray(at, at + PAGE_BYTES), i * PAGE_BYTES);
    }
    this.reads += count;
  }

  async deleteBatch(gfns: Uint32Array, count: number): Promise<void> {
    this.checkOpen();
    for (let i = 0; i < count; i++) {
      const gfn = gfns[i]!;
      if (gfn >= this.maxPages) continue;
      const slot = this.slotOf[gfn]!;
      if (slot < 0) continue;
      this.slotOf[gfn] = -1;
      this.freeSlots[this.freeCount++] = slot;
      this.pages--;
      this.deletes++;
    }
  }

  /** Resolves at once: the memory store keeps nothing past the process. */
  async flush(): Promise<void> {
    this.checkOpen();
  }

  async close(): Promise<void> {
    this.closed = true;
    this.slabs.length = 0;
  }

  /** Closes the store (`await using store = new MemoryPageStore(n)`). */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  stats(): PageStoreStats {
    return { pages: this.pages, bytes: this.pages * PAGE_BYTES, writes: this.writes, reads: this.reads, deletes: this.deletes };
  }

  private allocate(): number {
    if (this.freeCount > 0) return this.freeSlots[--this.freeCount]!;
    if (this.slotCount === this.slabs.length * SLAB_PAGES) this.slabs.push(new Uint8Array(SLAB_PAGES * PAGE_BYTES));
    if (this.freeSlots.length < this.slabs.length * SLAB_PAGES) {
      // Room for every slot to be freed at once; grown by doubling, so amortised O(1).
      const grown = new Int32Array(Math.max(this.slabs.length * SLAB_PAGES, this.freeSlots.length * 2));
      grown.set(this.freeSlots.subarray(0, this.freeCount));
      this.freeSlots = grown;
    }
    return this.slotCount++;
  }

  private checkGfn(gfn: number): number {
    if (gfn >= this.maxPages) throw new StoreError('STORE_IO', `gfn 0x${gfn.toString(16)} is beyond the store's ${this.maxPages} pages`, { gfn });
    return gfn;
  }

  private checkOpen(): void {
    if (this.closed) throw new StoreError('STORE_CLOSED', 'memory store is closed');
  }
}

/**
 * The memory store as a plugin: one {@link MemoryPageStore} per pager, sized to its domain.
 *
 * @example
 * ```ts
 * const pager = createPager({ hypervisor, domain, policy: xenpaging(), store: memoryStore() });
 * ```
 */
export function memoryStore(): PagevisorPlugin {
  return {
    name: 'memory',
    register(container, context) {
      container.register(PAGE_STORE, { useValue: new MemoryPageStore(context.maxPages) });
    },
  };
}
