import { ftruncateSync, mkdirSync, readSync, writeSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { PAGE_STORE, STORE_PAGE_BYTES, StoreError, type PagevisorPlugin, StoreBase, recordLength } from '@pagevisor/core';
import { dataOffset, decodeRecord, TABLE_BYTES, encodeHeader, encodeRecord, EXTENT_BYTES, EXTENT_SLOTS, HEADER_BYTES, headerProblem, headerSlotCount, RECORD_BYTES, recordMatches, recordOffset, type PagefileRecord } from './pagefile-format.js';
import { extentsIn, scanExtent, scanPagefile, type SlotCondition } from './pagefile-scan.js';
import type { InspectableStore, InspectedRecord, StoreCheck } from '../inspection.js';

const NONE = -1;
const FREE = -1;

/**
 * When the pagefile calls fsync.
 *
 * @example
 * ```ts
 * const fsync: FsyncPolicy = 'always'; // every batch durable before it resolves
 * await PagefileStore.open({ path, fsync }, 1 << 20);
 * ```
 */
export type FsyncPolicy = 'none' | 'batch' | 'always';

/**
 * Options of a {@link PagefileStore}.
 *
 * @example
 * ```ts
 * const store = await PagefileStore.open({ path: '/var/lib/pagevisor/guest1.pagefile', fsync: 'batch' }, 1 << 20);
 * ```
 */
export interface PagefileOptions {
  /**
   * The file. Its directory must exist: a store never creates directories the user did not ask for
   * (xenpaging's directory came from `make install`, seed 000 patch 3).
   */
  readonly path: string;
  /**
   * `none` (default): never fsync. Pages are written with `pwrite`, so an acknowledged page survives the
   * pager being killed (the kernel holds it), which is all paging needs: a guest's memory does not
   * outlive its host. `batch`: {@link PagefileStore.flush} also fdatasyncs, so a flushed page survives
   * a host crash too (hibernation, snapshots); `always`: every batch is flushed before it resolves.
   */
  readonly fsync?: FsyncPolicy;
  /**
   * Open an existing pagefile `O_RDONLY`, for tools that inspect it: no header is written, no index
   * entry repaired, no slot freed; writes and deletes reject with `STORE_READ_ONLY`. A missing or
   * empty file is an error instead of a new pagefile.
   */
  readonly readOnly?: boolean;
}

/**
 * What opening a pagefile found.
 *
 * @example
 * ```ts
 * const { missingSlots, damaged, orphaned } = (await PagefileStore.open({ path }, 1 << 20)).recovery;
 * ```
 */
export interface PagefileRecovery {
  /** Slots the header counts that the file no longer holds: it was truncated (their pages are lost). */
  readonly missingSlots: number;
  /** Slots whose record or page fails its CRC or is cut off by the file's end. */
  readonly damaged: number;
  /** Valid records left behind by a crash: an older version of a gfn, or a gfn beyond the store's range. */
  readonly orphaned: number;
}

/**
 * A page store in one file: a header (magic, format version, page size, slots per extent), then
 * extents of 1024 fixed 4 KiB slots, each extent led by its slot table. A slot's record holds the gfn,
 * the record length, a 48-bit sequence number and a CRC32C over the record and its page, so the
 * gfn ↔ slot index is rebuilt on open and every read is checked.
 *
 * @remarks
 * Crash safety: a new version goes to a fresh slot. {@link PagefileStore.flush} writes the free records
 * of deleted pages, fsyncs (so every write and delete before it is acknowledged), then frees the slots
 * of overwritten versions and fsyncs again; a crash at any point leaves each gfn at an acknowledged
 * version or a later one. On open, the newest version whose CRC checks out wins; a gfn whose only
 * record is damaged reads as `STORE_CORRUPT`, and every other page stays readable.
 *
 * Batches are written and read with one system call per run of consecutive slots. Offsets are
 * computed in 64-bit-safe numbers. A file of another format or page size is refused with
 * `STORE_FORMAT`. Memory: 4 bytes per gfn of the domain plus 4 bytes per slot.
 *
 * @example
 * ```ts
 * import { PagefileStore } from '@pagevisor/storage';
 *
 * await using store = await PagefileStore.open({ path: '/var/lib/pagevisor/guest1.pagefile' }, 1 << 20);
 * await store.writeBatch(Uint32Array.of(7), page, 1);
 * await store.flush(); // page 7 now survives a crash
 * ```
 */
export class PagefileStore extends StoreBase implements InspectableStore {
  readonly name = 'pagefile';
  readonly durable = true;
  /** The pagefile's path. */
  readonly path: string;
  private file!: FileHandle;
  private readonly fsync: FsyncPolicy;
  private readonly slotOf: Int32Array;
  /** The gfn each slot holds, or FREE. */
  private slotGfn = new Int32Array(0);
  private slotCount = 0;
  private freeSlots = new Int32Array(0);
  private freeCount = 0;
  /** Slots to write free records for before the next fsync: deleted pages and failed writes. */
  private clearBeforeSync: number[] = [];
  /** Slots of overwritten versions, freed only once the new version is durable. */
  private releaseAfterSync: number[] = [];
  private seq = 0;
  private recovered: PagefileRecovery = { missingSlots: 0, damaged: 0, orphaned: 0 };
  /** The slot count the header on disk records. */
  private headerSlots = 0;
  private readonly header = new Uint8Array(HEADER_BYTES);
  private scratchSlots = new Int32Array(0);
  private scratchOld = new Int32Array(0);
  private scratchRecords = new Uint8Array(0);

  private constructor(options: PagefileOptions, maxPages: number) {
    super(`pagefile ${options.path}`, maxPages);
    this.path = options.path;
    this.fsync = options.fsync ?? 'none';
    this.readOnly = options.readOnly === true;
    this.slotOf = new Int32Array(maxPages).fill(NONE);
    this.startOpening(() => this.load());
  }

  /**
   * Opens the pagefile at `options.path`, creating it if it does not exist (unless `readOnly`), and
   * rebuilds the index from its slot tables.
   *
   * @param maxPages - gfns the store may hold are `[0, maxPages)`
   * @throws {@link @pagevisor/core!StoreError | StoreError} `STORE_FORMAT` for a file of another format
   * or page size (or, read-only, an empty file), `STORE_IO` when it cannot be opened or its directory
   * does not exist.
   */
  static async open(options: PagefileOptions, maxPages: number): Promise<PagefileStore> {
    return StoreBase.whenOpen(new PagefileStore(options, maxPages));
  }

  /**
   * Returns at once and opens the pagefile in the background; the first call that needs the file
   * waits for it, and rejects with the open's error if it failed. Plugins use it to register a store
   * synchronously.
   */
  static openLazily(options: PagefileOptions, maxPages: number): PagefileStore {
    return new PagefileStore(options, maxPages);
  }

  /** What opening the file found (damaged and orphaned slots); zeros for a new file. */
  get recovery(): PagefileRecovery {
    return this.recovered;
  }

  /**
   * Every used slot of the file as it is on disk now, checked against its CRC; `current` says whether
   * it is the slot the store serves for its gfn.
   */
  async *inspect(): AsyncGenerator<InspectedRecord> {
    await this.opening;
    const { size } = await this.file.stat();
    const buffer = new Uint8Array(EXTENT_BYTES);
    for (let e = 0, extents = extentsIn(size); e < extents; e++) {
      const found: InspectedRecord[] = [];
      await scanExtent(this.file, e, buffer, (slot, record, condition, page) => {
        const ok = condition === 'ok';
        const known = record.gfn < this.maxPages;
        found.push({
          gfn: ok && known ? record.gfn : undefined,
          ok,
          current: known && this.slotOf[record.gfn] === slot,
          location: `slot ${slot}${condition === 'truncated' ? ' (cut off by the end of the file)' : ''}`,
          data: page.slice(0, Math.min(record.length, STORE_PAGE_BYTES)),
        });
      });
      yield* found;
    }
  }

  /**
   * Frees every damaged slot (served ones included) and every orphan, rewrites a truncated file's
   * header to the slots it still holds, then flushes (see {@link InspectableStore.repair}).
   */
  repair(): Promise<StoreCheck> {
    return this.enqueueChange('repair', async () => {
      const { size } = await this.file.stat();
      let corrupt = 0;
      await scanPagefile(this.file, size, (slot, record, condition) => {
        if (condition === 'ok') return;
        corrupt++;
        if (record.gfn < this.maxPages && this.slotOf[record.gfn] === slot) {
          this.slotOf[record.gfn] = NONE;
          this.pages--;
          this.clearBeforeSync.push(slot);
        }
      });
      if (this.recovered.missingSlots > 0) {
        this.headerSlots = 0;
        this.writeHeaderIfGrown();
      }
      const orphaned = this.recovered.orphaned;
      await this.doFlush();
      this.recovered = { missingSlots: 0, damaged: 0, orphaned: 0 };
      return { ok: this.pages, corrupt, orphaned };
    });
  }

  protected async doWrite(gfns: Uint32Array, pages: Uint8Array, count: number, lengths: Uint16Array | undefined): Promise<void> {
    this.reserveScratch(count);
    const slots = this.scratchSlots;
    const olds = this.scratchOld;
    const records = this.scratchRecords;
    this.reserveFreeSlots(count);
    let released = 0;
    for (let i = 0; i < count; i++) {
      const gfn = gfns[i]!;
      const slot = this.freeSlots[--this.freeCount]!;
      const old = this.slotOf[gfn]!;
      slots[i] = slot;
      olds[i] = old;
      this.slotGfn[slot] = gfn;
      this.slotOf[gfn] = slot;
      if (old >= 0) {
        this.releaseAfterSync.push(old);
        released++;
      } else this.pages++;
    }
    for (let i = 0; i < count; i++) encodeRecord(records, i * RECORD_BYTES, gfns[i]!, recordLength(lengths, i), ++this.seq, pages.subarray(i * STORE_PAGE_BYTES));
    try {
      this.writeHeaderIfGrown();
      // Synchronous writes: they only copy into the page cache (the flush's fdatasync is the slow,
      // asynchronous part), and a thread-pool round trip per write cost more than the copy.
      this.forEachRun(slots, count, (first, n, slot) => {
        writeFully(this.file.fd, pages, first * STORE_PAGE_BYTES, n * STORE_PAGE_BYTES, dataOffset(slot));
        writeFully(this.file.fd, records, first * RECORD_BYTES, n * RECORD_BYTES, recordOffset(slot));
      });
    } catch (error) {
      // Undo: the old versions stay current; the new slots may hold partial records, cleared at flush.
      this.releaseAfterSync.length -= released;
      for (let i = count - 1; i >= 0; i--) {
        const gfn = gfns[i]!;
        this.slotOf[gfn] = olds[i]!;
        if (olds[i]! < 0) this.pages--;
        this.clearBeforeSync.push(slots[i]!);
      }
      throw this.ioError(error, 'write');
    }
    if (this.fsync === 'always') await this.doFlush();
  }

  protected async doRead(gfns: Uint32Array, count: number, into: Uint8Array, lengths: Uint16Array | undefined): Promise<void> {
    this.reserveScratch(count);
    const slots = this.scratchSlots;
    const records = this.scratchRecords;
    for (let i = 0; i < count; i++) {
      const gfn = gfns[i]!;
      const slot = this.slotOf[gfn]!;
      if (slot < 0) throw new StoreError('STORE_MISSING', `pagefile ${this.path} holds no page for gfn 0x${gfn.toString(16)}`, { gfn });
      slots[i] = slot;
    }
    records.fill(0, 0, count * RECORD_BYTES);
    const short: number[] = [];
    try {
      // Synchronous reads, as the writes: a page in the page cache is a copy, cheaper than a round
      // trip through the thread pool (which cost a faulting guest ~10x its page-in time).
      this.forEachRun(slots, count, (first, n, slot) => {
        const data = readFully(this.file.fd, into, first * STORE_PAGE_BYTES, n * STORE_PAGE_BYTES, dataOffset(slot));
        const table = readFully(this.file.fd, records, first * RECORD_BYTES, n * RECORD_BYTES, recordOffset(slot));
        // The entries of the run whose page or record the file's end cut off.
        for (let k = 0; k < n; k++) if (data < (k + 1) * STORE_PAGE_BYTES || table < (k + 1) * RECORD_BYTES) short.push(first + k);
      });
    } catch (error) {
      throw this.ioError(error, 'read');
    }
    const record: PagefileRecord = { gfn: 0, length: 0, seq: 0, crc: 0 };
    for (let i = 0; i < count; i++) {
      const gfn = gfns[i]!;
      const page = into.subarray(i * STORE_PAGE_BYTES, (i + 1) * STORE_PAGE_BYTES);
      // The message is built only for a damaged page: the hot path formats nothing.
      if (short.length > 0 && short.includes(i)) throw this.corrupt(gfn, slots[i]!, 'is cut off by the end of the file');
      if (!decodeRecord(records, i * RECORD_BYTES, record) || record.gfn !== gfn || !recordMatches(records, i * RECORD_BYTES, record, page)) {
        throw this.corrupt(gfn, slots[i]!, 'fails its CRC32C');
      }
      page.fill(0, record.length);
      if (lengths) lengths[i] = record.length;
    }
  }

  private corrupt(gfn: number, slot: number, what: string): StoreError {
    return new StoreError('STORE_CORRUPT', `pagefile ${this.path}: page of gfn 0x${gfn.toString(16)} (slot ${slot}) ${what}`, { gfn });
  }

  protected async doDelete(gfns: Uint32Array, count: number): Promise<void> {
    for (let i = 0; i < count; i++) {
      const gfn = gfns[i]!;
      if (gfn >= this.maxPages) continue;
      const slot = this.slotOf[gfn]!;
      if (slot < 0) continue;
      this.slotOf[gfn] = NONE;
      this.clearBeforeSync.push(slot);
      this.pages--;
    }
    if (this.fsync === 'always') await this.doFlush();
  }

  /**
   * Writes the free records of deleted pages, fsyncs, frees the slots of overwritten versions and
   * fsyncs again (see the class remarks); with `fsync: 'none'` it writes the same records unsynced.
   */
  protected async doFlush(): Promise<void> {
    const cleared = this.clearBeforeSync;
    this.clearBeforeSync = [];
    await this.writeFreeRecords(cleared);
    await this.sync();
    this.recycle(cleared);
    const released = this.releaseAfterSync;
    this.releaseAfterSync = [];
    if (released.length === 0) return;
    await this.writeFreeRecords(released);
    await this.sync();
    this.recycle(released);
  }

  protected async doClose(): Promise<void> {
    await this.file.close();
  }

  protected bytesUsed(): number {
    return HEADER_BYTES + (this.slotCount / EXTENT_SLOTS) * EXTENT_BYTES;
  }

  /** Opens the file, writes a header into a new one, and rebuilds the index from its slot tables. */
  private async load(): Promise<void> {
    try {
      this.file = this.readOnly ? await open(this.path, 'r') : await open(this.path, 'a+').then(async (h) => (await h.close(), open(this.path, 'r+')));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT' && !this.readOnly) {
        throw new StoreError('STORE_IO', `pagefile ${this.path}: directory ${dirname(this.path)} does not exist`, { cause: error });
      }
      throw this.ioError(error, 'open');
    }
    try {
      const { size } = await this.file.stat();
      if (size === 0 && this.readOnly) throw new StoreError('STORE_FORMAT', `${this.path} is empty, not a pagefile`);
      if (size === 0) {
        encodeHeader(this.header, 0);
        await this.file.write(this.header, 0, HEADER_BYTES, 0);
        await this.file.sync();
        return;
      }
      await this.file.read(this.header, 0, HEADER_BYTES, 0);
      const problem = headerProblem(this.header);
      if (problem) throw new StoreError('STORE_FORMAT', `${this.path}: ${problem}`);
      this.headerSlots = headerSlotCount(this.header);
      await this.rebuildIndex(size);
    } catch (error) {
      await this.file.close();
      throw error instanceof StoreError ? error : this.ioError(error, 'open');
    }
  }

  /** Indexes the best record of each gfn: a valid one before a damaged one, then the newest. */
  private async rebuildIndex(size: number): Promise<void> {
    this.growTo(extentsIn(size) * EXTENT_SLOTS);
    const slotSeq = new Float64Array(this.slotCount);
    const slotOk = new Uint8Array(this.slotCount);
    let damaged = 0;
    let orphaned = 0;
    const drop = (slot: number, ok: boolean): void => {
      this.clearBeforeSync.push(slot);
      if (ok) orphaned++;
      else damaged++;
    };
    await scanPagefile(this.file, size, (slot, record, condition: SlotCondition) => {
      const ok = condition === 'ok';
      this.seq = Math.max(this.seq, record.seq);
      slotSeq[slot] = record.seq;
      slotOk[slot] = ok ? 1 : 0;
      if (record.gfn >= this.maxPages) return drop(slot, ok);
      const current = this.slotOf[record.gfn]!;
      if (current >= 0) {
        const better = slotOk[current] !== slotOk[slot] ? ok : record.seq > slotSeq[current]!;
        if (!better) return drop(slot, ok);
        drop(current, slotOk[current] === 1);
        this.slotGfn[current] = FREE;
      } else this.pages++;
      this.slotOf[record.gfn] = slot;
      this.slotGfn[slot] = record.gfn;
    });
    for (let slot = 0; slot < this.slotCount; slot++) if (this.slotGfn[slot] !== FREE && slotOk[slot] === 0) damaged++;
    // The file is extended to whole extents as it grows, so slots the header counts beyond its end
    // mean it was cut short.
    const rest = (size - HEADER_BYTES) % EXTENT_BYTES;
    const held = Math.floor((size - HEADER_BYTES) / EXTENT_BYTES) * EXTENT_SLOTS + Math.max(0, Math.floor((rest - TABLE_BYTES) / STORE_PAGE_BYTES));
    this.recovered = { missingSlots: Math.max(0, this.headerSlots - held), damaged, orphaned };
    this.headerSlots = Math.max(this.headerSlots, this.slotCount);
    // Dropped slots become free at the next flush, after their free records are written.
    const dropped = new Set(this.clearBeforeSync);
    for (let slot = this.slotCount - 1; slot >= 0; slot--) if (this.slotGfn[slot] === FREE && !dropped.has(slot)) this.freeSlots[this.freeCount++] = slot;
  }

  /** Records a grown slot count in the header and the file size (before the pages that need them), so truncation shows. */
  private writeHeaderIfGrown(): void {
    if (this.slotCount <= this.headerSlots) return;
    encodeHeader(this.header, this.slotCount);
    writeFully(this.file.fd, this.header, 0, HEADER_BYTES, 0);
    // Whole extents (sparse: no disk space until written), so a shorter file is a truncated one.
    ftruncateSync(this.file.fd, HEADER_BYTES + (this.slotCount / EXTENT_SLOTS) * EXTENT_BYTES);
    this.headerSlots = this.slotCount;
  }

  /** Calls `io(first, n, slot)` for each run of `n` batch entries in consecutive slots of one extent. */
  private forEachRun(slots: Int32Array, count: number, io: (first: number, n: number, slot: number) => unknown): void {
    for (let first = 0; first < count; ) {
      let n = 1;
      while (first + n < count && slots[first + n] === slots[first]! + n && (slots[first]! + n) % EXTENT_SLOTS !== 0) n++;
      io(first, n, slots[first]!);
      first += n;
    }
  }

  private async writeFreeRecords(slots: readonly number[]): Promise<void> {
    if (slots.length === 0) return;
    const free = new Uint8Array(RECORD_BYTES);
    try {
      for (const slot of slots) writeFully(this.file.fd, free, 0, RECORD_BYTES, recordOffset(slot));
    } catch (error) {
      this.clearBeforeSync.push(...slots);
      throw this.ioError(error, 'write');
    }
  }

  private async sync(): Promise<void> {
    if (this.fsync === 'none') return;
    try {
      // fdatasync: the data, and the file size the data needs, as dd's oflag=dsync.
      await this.file.datasync();
    } catch (error) {
      throw this.ioError(error, 'fdatasync');
    }
  }

  private recycle(slots: readonly number[]): void {
    this.reserveFreeSlots(0);
    for (const slot of slots) {
      this.slotGfn[slot] = FREE;
      this.freeSlots[this.freeCount++] = slot;
    }
  }

  /** Makes sure `count` free slots can be popped, adding extents (the file grows as they are written). */
  private reserveFreeSlots(count: number): void {
    while (this.freeCount < count) {
      const first = this.slotCount;
      this.growTo(this.slotCount + EXTENT_SLOTS);
      // Pushed from the top so slots pop in ascending order, which makes runs.
      for (let slot = this.slotCount - 1; slot >= first; slot--) this.freeSlots[this.freeCount++] = slot;
    }
  }

  private growTo(slots: number): void {
    if (slots <= this.slotGfn.length) {
      this.slotCount = Math.max(this.slotCount, slots);
      return;
    }
    const capacity = Math.max(slots, this.slotGfn.length * 2);
    const slotGfn = new Int32Array(capacity).fill(FREE);
    slotGfn.set(this.slotGfn.subarray(0, this.slotCount));
    const freeSlots = new Int32Array(capacity);
    freeSlots.set(this.freeSlots.subarray(0, this.freeCount));
    this.slotGfn = slotGfn;
    this.freeSlots = freeSlots;
    this.slotCount = slots;
  }

  private reserveScratch(count: number): void {
    if (this.scratchSlots.length >= count) return;
    this.scratchSlots = new Int32Array(count);
    this.scratchOld = new Int32Array(count);
    this.scratchRecords = new Uint8Array(count * RECORD_BYTES);
  }

  private ioError(error: unknown, what: string): StoreError {
    return new StoreError('STORE_IO', `pagefile ${this.path}: ${what} failed: ${(error as Error).message}`, { cause: error });
  }
}

/**
 * The pagefile store as a plugin. Without `path`, the file goes to a new temporary directory
 * (`<tmp>/pagevisor-<pid>/domain-<id>.pagefile`).
 *
 * @example
 * ```ts
 * const pager = createPager({ hypervisor, domid, policy: xenpaging(), store: pagefileStore({ path: './guest.pagefile' }) });
 * ```
 */
export function pagefileStore(options: Partial<PagefileOptions> = {}): PagevisorPlugin {
  return {
    name: 'pagefile',
    register(container, context) {
      let path = options.path;
      if (path === undefined) {
        // The one directory a store creates: its own temporary one, when the user named no file.
        const directory = join(tmpdir(), `pagevisor-${process.pid}`);
        mkdirSync(directory, { recursive: true });
        path = join(directory, `${context.memoryName}.pagefile`);
      }
      container.provide(PAGE_STORE, PagefileStore.openLazily({ ...options, path }, context.maxPages));
    },
  };
}

/** pread until `length` bytes are read or the file ends; returns the bytes read. */
function readFully(fd: number, buffer: Uint8Array, offset: number, length: number, position: number): number {
  let done = 0;
  while (done < length) {
    const read = readSync(fd, buffer, offset + done, length - done, position + done);
    if (read === 0) break;
    done += read;
  }
  return done;
}

/** pwrite until every byte is written. */
function writeFully(fd: number, buffer: Uint8Array, offset: number, length: number, position: number): void {
  while (length > 0) {
    const written = writeSync(fd, buffer, offset, length, position);
    offset += written;
    length -= written;
    position += written;
  }
}
