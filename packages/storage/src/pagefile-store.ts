import { mkdir, open, type FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { PAGE_STORE, StoreError, type PageStore, type PageStoreStats, type PagevisorPlugin } from '@pagevisor/core';
import { crc32c } from './crc32c.js';

const PAGE_BYTES = 4096;
const MAGIC = 'PGVPGFL1';
const FORMAT_VERSION = 1;
/** Slots per extent: the file grows 4 MiB (plus a 16 KiB slot table) at a time. */
const EXTENT_SLOTS = 1024;
const RECORD_BYTES = 16;
const TABLE_BYTES = EXTENT_SLOTS * RECORD_BYTES;
const EXTENT_BYTES = TABLE_BYTES + EXTENT_SLOTS * PAGE_BYTES;
const HEADER_BYTES = PAGE_BYTES;
const FREE = 0xffff_ffff;

/** When the pagefile calls fsync. */
export type FsyncPolicy = 'none' | 'batch' | 'always';

/** Options of a {@link PagefileStore}. */
export interface PagefileOptions {
  /** The file; its directory is created (seed 000 patch 3). */
  readonly path: string;
  /**
   * `batch` (default): {@link PagefileStore.flush} fsyncs, so a flushed write survives a crash;
   * `always`: every batch is fsynced before it resolves; `none`: never (the OS decides).
   */
  readonly fsync?: FsyncPolicy;
}

/**
 * A page store in one file: a header (magic, format version, page size, slots per extent), then
 * extents of 1024 fixed 4 KiB slots, each extent led by its slot table. A slot's record holds the gfn,
 * a sequence number and the CRC32C of the page, so the gfn ↔ slot index is rebuilt on open and every
 * read is checked.
 *
 * @remarks
 * Crash safety: a new version goes to a fresh slot and the old slot is released only at the next
 * {@link PagefileStore.flush}, so a crash leaves either version; on open the newest version whose CRC
 * checks out wins. With `fsync: 'batch'`, a write is acknowledged (durable) once the following `flush`
 * resolves. Offsets are computed in 64-bit-safe numbers (xenpaging 4.1 overflowed at 2 GiB). A file
 * of another format or page size is refused with `STORE_FORMAT`.
 *
 * @example
 * ```ts
 * import { PagefileStore } from '@pagevisor/storage';
 *
 * const store = await PagefileStore.open({ path: '/var/lib/pagevisor/guest1.pagefile' }, 1 << 20);
 * await store.writeBatch(Uint32Array.of(7), page, 1);
 * await store.flush(); // page 7 now survives a crash
 * ```
 */
export class PagefileStore implements PageStore {
  readonly name = 'pagefile';
  private readonly slotOf: Int32Array;
  private slotGfn = new Float64Array(0);
  private freeSlots: number[] = [];
  private pendingFree: number[] = [];
  private seq = 0;
  private slotCount = 0;
  private pages = 0;
  private writes = 0;
  private reads = 0;
  private deletes = 0;
  /** Slots found damaged on open (a record whose page fails its CRC, or past the end of the file). */
  damaged = 0;
  private closed = false;
  private readonly record = new Uint8Array(RECORD_BYTES);

  /** The pagefile's path. */
  readonly path: string;
  /** gfns the store may hold are `[0, maxPages)`. */
  readonly maxPages: number;

  private constructor(
    private readonly file: FileHandle,
    path: string,
    maxPages: number,
    private readonly fsync: FsyncPolicy,
  ) {
    this.path = path;
    this.maxPages = maxPages;
    this.slotOf = new Int32Array(maxPages).fill(-1);
  }

  /**
   * Opens the pagefile at `options.path`, creating it (and its directory) if it does not exist, and
   * rebuilds the index from its slot tables.
   *
   * @throws {@link @pagevisor/core!StoreError | StoreError} `STORE_FORMAT` for a file of another format
   * or page size, `STORE_IO` when it cannot be opened.
   */
  static async open(options: PagefileOptions, maxPages: number): Promise<PagefileStore> {
    let file: FileHandle;
    try {
      await mkdir(dirname(options.path), { recursive: true });
      file = await open(options.path, 'a+').then(async (h) => (await h.close(), open(options.path, 'r+')));
    } catch (error) {
      throw new StoreError('STORE_IO', `pagefile ${options.path}: cannot open: ${(error as Error).message}`, { cause: error });
    }
    const store = new PagefileStore(file, options.path, maxPages, options.fsync ?? 'batch');
    try {
      await store.load();
    } catch (error) {
      await file.close();
      throw error;
    }
    return store;
  }

  async writeBatch(gfns: Uint32Array, pages: Uint8Array, count: number): Promise<void> {
    this.checkOpen();
    const writes: Promise<unknown>[] = [];
    for (let i = 0; i < count; i++) {
      const gfn = gfns[i]!;
      if (gfn >= this.maxPages) throw new StoreError('STORE_IO', `pagefile ${this.path}: gfn 0x${gfn.toString(16)} is beyond ${this.maxPages} pages`, { gfn });
      const page = pages.subarray(i * PAGE_BYTES, (i + 1) * PAGE_BYTES);
      const slot = await this.allocate();
      const old = this.slotOf[gfn]!;
      if (old >= 0) this.pendingFree.push(old);
      else this.pages++;
      this.slotOf[gfn] = slot;
      this.slotGfn[slot] = gfn;
      const record = new Uint8Array(RECORD_BYTES);
      encodeRecord(record, gfn, ++this.seq, crc32c(page));
      writes.push(this.file.write(page, 0, PAGE_BYTES, dataOffset(slot)), this.file.write(record, 0, RECORD_BYTES, recordOffset(slot)));
    }
    await this.io(Promise.all(writes), 'write');
    this.writes += count;
    if (this.fsync === 'always') await this.flush();
  }

  async readBatch(gfns: Uint32Array, count: number, into: Uint8Array): Promise<void> {
    this.checkOpen();
    const reads: Promise<unknown>[] = [];
    const records: Uint8Array[] = [];
    for (let i = 0; i < count; i++) {
      const gfn = gfns[i]!;
      const slot = gfn < this.maxPages ? this.slotOf[gfn]! : -1;
      if (slot < 0) throw new StoreError('STORE_MISSING', `pagefile ${this.path} holds no page for gfn 0x${gfn.toString(16)}`, { gfn });
      const record = new Uint8Array(RECORD_BYTES);
      records.push(record);
      reads.push(this.file.read(into, i * PAGE_BYTES, PAGE_BYTES, dataOffset(slot)), this.file.read(record, 0, RECORD_BYTES, recordOffset(slot)));
    }
    await this.io(Promise.all(reads), 'read');
    for (let i = 0; i < count; i++) {
      const gfn = gfns[i]!;
      const crc = new DataView(records[i]!.buffer).getUint32(12, true);
      if (crc32c(into.subarray(i * PAGE_BYTES, (i + 1) * PAGE_BYTES)) !== crc) {
        throw new StoreError('STORE_CORRUPT', `pagefile ${this.path}: page of gfn 0x${gfn.toString(16)} (slot ${this.slotOf[gfn]}) fails its CRC32C`, { gfn });
      }
    }
    this.reads += count;
  }

  async deleteBatch(gfns: Uint32Array, count: number): Promise<void> {
    this.checkOpen();
    for (let i = 0; i < count; i++) {
      const gfn = gfns[i]!;
      const slot = gfn < this.maxPages ? this.slotOf[gfn]! : -1;
      if (slot < 0) continue;
      this.slotOf[gfn] = -1;
      this.pendingFree.push(slot);
      this.pages--;
      this.deletes++;
    }
  }

  /** fsyncs (unless `fsync: 'none'`), then releases the slots of overwritten and deleted pages. */
  async flush(): Promise<void> {
    this.checkOpen();
    if (this.fsync !== 'none') await this.io(this.file.sync(), 'fsync');
    const released = this.pendingFree;
    this.pendingFree = [];
    const free = new Uint8Array(RECORD_BYTES);
    encodeRecord(free, -1, 0, 0);
    await this.io(Promise.all(released.map((slot) => this.file.write(free, 0, RECORD_BYTES, recordOffset(slot)))), 'write');
    for (const slot of released) {
      this.slotGfn[slot] = -1;
      this.freeSlots.push(slot);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await this.flush();
    this.closed = true;
    await this.file.close();
  }

  /** Closes the store (`await using`). */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  stats(): PageStoreStats {
    return {
      pages: this.pages,
      bytes: HEADER_BYTES + Math.ceil(this.slotCount / EXTENT_SLOTS) * EXTENT_BYTES,
      writes: this.writes,
      reads: this.reads,
      deletes: this.deletes,
    };
  }

  /** Reads or writes the header, then rebuilds the index from every slot table. */
  private async load(): Promise<void> {
    const { size } = await this.file.stat();
    const header = new Uint8Array(HEADER_BYTES);
    const view = new DataView(header.buffer);
    if (size === 0) {
      header.set(new TextEncoder().encode(MAGIC));
      view.setUint32(8, FORMAT_VERSION, true);
      view.setUint32(12, PAGE_BYTES, true);
      view.setUint32(16, EXTENT_SLOTS, true);
      view.setUint32(20, crc32c(header.subarray(0, 20)), true);
      await this.io(this.file.write(header, 0, HEADER_BYTES, 0), 'write');
      await this.io(this.file.sync(), 'fsync');
      return;
    }
    await this.io(this.file.read(header, 0, HEADER_BYTES, 0), 'read');
    const magic = new TextDecoder().decode(header.subarray(0, 8));
    if (magic !== MAGIC || view.getUint32(20, true) !== crc32c(header.subarray(0, 20))) {
      throw new StoreError('STORE_FORMAT', `${this.path} is not a Pagevisor pagefile (magic ${JSON.stringify(magic)})`);
    }
    const version = view.getUint32(8, true);
    const pageBytes = view.getUint32(12, true);
    const extentSlots = view.getUint32(16, true);
    if (version !== FORMAT_VERSION || pageBytes !== PAGE_BYTES || extentSlots !== EXTENT_SLOTS) {
      throw new StoreError(
        'STORE_FORMAT',
        `${this.path}: pagefile format ${version}, page size ${pageBytes}, ${extentSlots} slots per extent; this store reads format ${FORMAT_VERSION}, ${PAGE_BYTES}, ${EXTENT_SLOTS}`,
      );
    }
    const extents = Math.ceil((size - HEADER_BYTES) / EXTENT_BYTES);
    this.growTo(extents * EXTENT_SLOTS);
    const table = new Uint8Array(TABLE_BYTES);
    const tableView = new DataView(table.buffer);
    const page = new Uint8Array(PAGE_BYTES);
    const seqOf = new Map<number, number>();
    for (let e = 0; e < extents; e++) {
      table.fill(0xff);
      await this.io(this.file.read(table, 0, TABLE_BYTES, HEADER_BYTES + e * EXTENT_BYTES), 'read');
      for (let i = 0; i < EXTENT_SLOTS; i++) {
        const slot = e * EXTENT_SLOTS + i;
        const lo = tableView.getUint32(i * RECORD_BYTES, true);
        const hi = tableView.getUint32(i * RECORD_BYTES + 4, true);
        const seq = tableView.getUint32(i * RECORD_BYTES + 8, true);
        const gfn = hi * 0x1_0000_0000 + lo;
        if ((lo === FREE && hi === FREE) || gfn >= this.maxPages) continue;
        this.seq = Math.max(this.seq, seq);
        // A page past the end of a truncated file, or one that fails its CRC, is damaged: skipped.
        const { bytesRead } = await this.io(this.file.read(page, 0, PAGE_BYTES, dataOffset(slot)), 'read');
        if (bytesRead !== PAGE_BYTES || crc32c(page) !== tableView.getUint32(i * RECORD_BYTES + 12, true)) {
          this.damaged++;
          continue;
        }
        const current = this.slotOf[gfn]!;
        if (current >= 0 && seqOf.get(gfn)! > seq) continue;
        if (current >= 0) this.slotGfn[current] = -1;
        else this.pages++;
        this.slotOf[gfn] = slot;
        this.slotGfn[slot] = gfn;
        seqOf.set(gfn, seq);
      }
    }
    for (let slot = this.slotCount - 1; slot >= 0; slot--) if (this.slotGfn[slot] === -1) this.freeSlots.push(slot);
  }

  private async allocate(): Promise<number> {
    const free = this.freeSlots.pop();
    if (free !== undefined) return free;
    const slot = this.slotCount;
    this.growTo(this.slotCount + EXTENT_SLOTS);
    // A new extent's table starts all free, so stale bytes never read as records.
    const table = new Uint8Array(TABLE_BYTES).fill(0xff);
    await this.io(this.file.write(table, 0, TABLE_BYTES, HEADER_BYTES + (slot / EXTENT_SLOTS) * EXTENT_BYTES), 'write');
    for (let s = this.slotCount - 1; s > slot; s--) this.freeSlots.push(s);
    return slot;
  }

  private growTo(slots: number): void {
    const grown = new Float64Array(slots).fill(-1);
    grown.set(this.slotGfn);
    this.slotGfn = grown;
    this.slotCount = slots;
  }

  private async io<T>(operation: Promise<T>, what: string): Promise<T> {
    try {
      return await operation;
    } catch (error) {
      throw new StoreError('STORE_IO', `pagefile ${this.path}: ${what} failed: ${(error as Error).message}`, { cause: error });
    }
  }

  private checkOpen(): void {
    if (this.closed) throw new StoreError('STORE_CLOSED', `pagefile ${this.path} is closed`);
  }
}

function extentOf(slot: number): number {
  return Math.floor(slot / EXTENT_SLOTS);
}

/** Byte offset of a slot's page; plain numbers are exact far beyond 2 GiB. */
function dataOffset(slot: number): number {
  return HEADER_BYTES + extentOf(slot) * EXTENT_BYTES + TABLE_BYTES + (slot % EXTENT_SLOTS) * PAGE_BYTES;
}

function recordOffset(slot: number): number {
  return HEADER_BYTES + extentOf(slot) * EXTENT_BYTES + (slot % EXTENT_SLOTS) * RECORD_BYTES;
}

function encodeRecord(record: Uint8Array, gfn: number, seq: number, crc: number): void {
  const view = new DataView(record.buffer, record.byteOffset, RECORD_BYTES);
  view.setUint32(0, gfn < 0 ? FREE : gfn >>> 0, true);
  view.setUint32(4, gfn < 0 ? FREE : Math.floor(gfn / 0x1_0000_0000), true);
  view.setUint32(8, seq >>> 0, true);
  view.setUint32(12, crc, true);
}

/**
 * A store that opens its pagefile on first use, so a plugin can register it synchronously.
 */
class LazyPagefileStore implements PageStore {
  readonly name = 'pagefile';
  private readonly opening: Promise<PagefileStore>;
  private opened: PagefileStore | undefined;

  constructor(options: PagefileOptions, maxPages: number) {
    this.opening = PagefileStore.open(options, maxPages).then((store) => (this.opened = store));
    this.opening.catch(() => undefined); // reported by the first operation
  }

  async writeBatch(gfns: Uint32Array, pages: Uint8Array, count: number): Promise<void> {
    return (await this.opening).writeBatch(gfns, pages, count);
  }
  async readBatch(gfns: Uint32Array, count: number, into: Uint8Array): Promise<void> {
    return (await this.opening).readBatch(gfns, count, into);
  }
  async deleteBatch(gfns: Uint32Array, count: number): Promise<void> {
    return (await this.opening).deleteBatch(gfns, count);
  }
  async flush(): Promise<void> {
    return (await this.opening).flush();
  }
  async close(): Promise<void> {
    return (await this.opening).close();
  }
  stats(): PageStoreStats {
    return this.opened?.stats() ?? { pages: 0, bytes: 0, writes: 0, reads: 0, deletes: 0 };
  }
}

/**
 * The pagefile store as a plugin. Without `path`, the file goes to a new temporary directory
 * (`<tmp>/pagevisor-<pid>/domain-<id>.pagefile`).
 *
 * @example
 * ```ts
 * const pager = createPager({ hypervisor, domain, policy: xenpaging(), store: pagefileStore({ path: './guest.pagefile' }) });
 * ```
 */
export function pagefileStore(options: Partial<PagefileOptions> = {}): PagevisorPlugin {
  return {
    name: 'pagefile',
    register(container, context) {
      const path = options.path ?? join(tmpdir(), `pagevisor-${process.pid}`, `domain-${context.domid}.pagefile`);
      container.register(PAGE_STORE, { useValue: new LazyPagefileStore({ ...options, path }, context.maxPages) });
    },
  };
}
