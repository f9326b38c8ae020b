import { PAGE_STORE, STORE_PAGE_BYTES, StoreError, type PagevisorPlugin, recordLength, StoreBase } from '@pagevisor/core';

/** Pages per slab: the store grows 4 MiB at a time. */
const SLAB_PAGES = 1024;
const NONE = -1;
/** `slotOf` value of a gfn whose record is shorter than a page (kept in `shortRecords`). */
const SHORT = -2;

/**
 * A page store in process memory: slabs of 4 KiB slots for whole pages, a slot index by gfn, a
 * free-slot stack; records shorter than a page (from the compression store) take only their length.
 *
 * @remarks
 * Not durable: nothing survives the process, and `flush` resolves at once. Use it for tests,
 * simulations, and, under {@link compressedStore}, as a zram-like compressed in-memory store.
 * Memory: 4 bytes of index per gfn of the domain, plus 4096 bytes per whole page held (slabs are
 * kept for reuse once allocated) or the record's length for a shorter record.
 *
 * @example
 * ```ts
 * import { MemoryPageStore } from '@pagevisor/storage';
 *
 * await using store = new MemoryPageStore(1 << 20);
 * await store.writeBatch(Uint32Array.of(7), new Uint8Array(4096), 1);
 * ```
 */
export class MemoryPageStore extends StoreBase {
  readonly name = 'memory';
  readonly durable = false;
  private readonly slotOf: Int32Array;
  private readonly slabs: Uint8Array[] = [];
  private readonly shortRecords = new Map<number, Uint8Array>();
  private shortBytes = 0;
  private freeSlots: Int32Array = new Int32Array(0);
  private freeCount = 0;
  private slotCount = 0;

  /** @param maxPages - gfns the store may hold are `[0, maxPages)` */
  constructor(maxPages: number) {
    super('memory store', maxPages);
    this.slotOf = new Int32Array(maxPages).fill(NONE);
  }

  protected async doWrite(gfns: Uint32Array, pages: Uint8Array, count: number, lengths: Uint16Array | undefined): Promise<void> {
    for (let i = 0; i < count; i++) {
      const gfn = gfns[i]!;
      const length = recordLength(lengths, i);
      const from = i * STORE_PAGE_BYTES;
      let slot = this.slotOf[gfn]!;
      if (slot === SHORT) this.dropShort(gfn);
      else if (slot === NONE) this.pages++;
      if (length < STORE_PAGE_BYTES) {
        if (slot >= 0) this.freeSlots[this.freeCount++] = slot;
        this.shortRecords.set(gfn, pages.slice(from, from + length));
        this.shortBytes += length;
        this.slotOf[gfn] = SHORT;
        continue;
      }
      if (slot < 0) {
        slot = this.allocate();
        this.slotOf[gfn] = slot;
      }
      this.slabs[slot >>> 10]!.set(pages.subarray(from, from + STORE_PAGE_BYTES), (slot & (SLAB_PAGES - 1)) * STORE_PAGE_BYTES);
    }
  }

  protected async doRead(gfns: Uint32Array, count: number, into: Uint8Array, lengths: Uint16Array | undefined): Promise<void> {
    for (let i = 0; i < count; i++) {
      const gfn = gfns[i]!;
      const slot = this.slotOf[gfn]!;
      const to = i * STORE_PAGE_BYTES;
      if (slot === NONE) throw new StoreError('STORE_MISSING', `memory store holds no page for gfn 0x${gfn.toString(16)}`, { gfn });
      if (slot === SHORT) {
        const record = this.shortRecords.get(gfn)!;
        into.set(record, to);
        into.fill(0, to + record.length, to + STORE_PAGE_BYTES);
        if (lengths) lengths[i] = record.length;
        continue;
      }
      const at = (slot & (SLAB_PAGES - 1)) * STORE_PAGE_BYTES;
      into.set(this.slabs[slot >>> 10]!.subarray(at, at + STORE_PAGE_BYTES), to);
      if (lengths) lengths[i] = STORE_PAGE_BYTES;
    }
  }

  protected async doDelete(gfns: Uint32Array, count: number): Promise<void> {
    for (let i = 0; i < count; i++) {
      const gfn = gfns[i]!;
      if (gfn >= this.maxPages) continue;
      const slot = this.slotOf[gfn]!;
      if (slot === NONE) continue;
      if (slot === SHORT) this.dropShort(gfn);
      else this.freeSlots[this.freeCount++] = slot;
      this.slotOf[gfn] = NONE;
      this.pages--;
    }
  }

  /** Nothing to do: the memory store keeps nothing past the process. */
  protected async doFlush(): Promise<void> {}

  protected async doClose(): Promise<void> {
    this.slabs.length = 0;
    this.shortRecords.clear();
  }

  protected bytesUsed(): number {
    return (this.pages - this.shortRecords.size) * STORE_PAGE_BYTES + this.shortBytes;
  }

  private dropShort(gfn: number): void {
    this.shortBytes -= this.shortRecords.get(gfn)!.length;
    this.shortRecords.delete(gfn);
  }

  private allocate(): number {
    if (this.freeCount > 0) return this.freeSlots[--this.freeCount]!;
    if (this.slotCount === this.slabs.length * SLAB_PAGES) this.slabs.push(new Uint8Array(SLAB_PAGES * STORE_PAGE_BYTES));
    if (this.freeSlots.length < this.slabs.length * SLAB_PAGES) {
      // Room for every slot to be freed at once; grown by doubling, so amortised O(1).
      const grown = new Int32Array(Math.max(this.slabs.length * SLAB_PAGES, this.freeSlots.length * 2));
      grown.set(this.freeSlots.subarray(0, this.freeCount));
      this.freeSlots = grown;
    }
    return this.slotCount++;
  }
}

/**
 * The memory store as a plugin: one {@link MemoryPageStore} per pager, sized to its domain.
 *
 * @example
 * ```ts
 * const pager = createPager({ hypervisor, domid, policy: xenpaging(), store: memoryStore() });
 * ```
 */
export function memoryStore(): PagevisorPlugin {
  return {
    name: 'memory',
    register(container, context) {
      container.provide(PAGE_STORE, new MemoryPageStore(context.maxPages));
    },
  };
}
