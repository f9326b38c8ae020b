import { brotliCompressSync, brotliDecompressSync, constants, deflateRawSync, inflateRawSync } from 'node:zlib';
import { PAGE_STORE, STORE_PAGE_BYTES, StoreError, type PageStore, type PagevisorPlugin, recordLength, StoreBase } from '@pagevisor/core';

/**
 * The node:zlib codec a {@link CompressedStore} uses.
 *
 * @example
 * ```ts
 * const codec: CompressionCodec = 'deflate';
 * compressedStore(memoryStore(), { codec });
 * ```
 */
export type CompressionCodec = 'deflate' | 'brotli';

/**
 * Options of a {@link CompressedStore}.
 *
 * @example
 * ```ts
 * const store = new CompressedStore(new MemoryPageStore(1 << 20), { codec: 'brotli', level: 4 });
 * ```
 */
export interface CompressionOptions {
  /** `deflate` (raw DEFLATE, default) or `brotli`. */
  readonly codec?: CompressionCodec;
  /** Compression level: deflate 1–9 (default 1, the fastest), brotli 0–11 (default 1). */
  readonly level?: number;
}

/**
 * What the compression store has done with the records written through it.
 *
 * @example
 * ```ts
 * const { zeroPages, compressed, bytesIn, bytesOut } = store.compression();
 * console.log(`ratio ${(bytesIn / bytesOut).toFixed(2)}`);
 * ```
 */
export interface CompressionStats {
  /** Records that were all zeros, stored as a 1-byte marker. */
  readonly zeroPages: number;
  /** Records stored compressed. */
  readonly compressed: number;
  /** Records stored as they were, because compressing them saved nothing. */
  readonly stored: number;
  /** Bytes given to the store. */
  readonly bytesIn: number;
  /** Bytes handed to the inner store for them. */
  readonly bytesOut: number;
}

/**
 * How a record is kept in the inner store: a whole page as it is (4096 bytes, no tag), or a 1-byte
 * tag followed by the payload.
 */
const enum Tag {
  Zero = 0,
  Deflate = 1,
  Brotli = 2,
  /** A record shorter than a page that did not compress. */
  Plain = 3,
}

const ZERO_PAGE = Buffer.alloc(STORE_PAGE_BYTES);

/**
 * The longest record shorter than a page the store keeps. A 1-byte tag must fit beside any record
 * that does not compress, and a whole page takes all 4096 bytes untagged, so a 4095-byte record
 * cannot be told apart (by counting, no lossless scheme that shrinks some records can keep them all).
 *
 * @example
 * ```ts
 * const lengths = Uint16Array.of(MAX_SHORT_RECORD); // the longest short record a CompressedStore keeps
 * ```
 */
export const MAX_SHORT_RECORD = STORE_PAGE_BYTES - 2;

/**
 * Wraps any {@link @pagevisor/core!PageStore | PageStore} and compresses what goes into it: a page of
 * zeros becomes a 1-byte marker, and any other record goes through a node:zlib codec when that makes
 * it shorter; otherwise it is stored as it is.
 *
 * @remarks
 * Records are whole pages (what a pager writes) or 0–{@link MAX_SHORT_RECORD} bytes; a 4095-byte
 * record is refused with `STORE_ARGUMENT`.
 *
 * The inner store keeps the shorter records, so the space is saved by stores that hold
 * variable-length records (memory, SQLite, Redis: a zram-, database- or far-memory-like store);
 * the pagefile keeps fixed 4 KiB slots, so wrapping it saves no space. Durability, ordering and integrity are the inner store's; a payload that
 * does not decompress is `STORE_CORRUPT` naming the gfn.
 *
 * @example
 * ```ts
 * import { CompressedStore, MemoryPageStore } from '@pagevisor/storage';
 *
 * const store = new CompressedStore(new MemoryPageStore(1 << 20), { codec: 'deflate', level: 1 });
 * await store.writeBatch(gfns, pages, count);
 * console.log(store.compression()); // { zeroPages, compressed, stored, bytesIn, bytesOut }
 * ```
 */
export class CompressedStore extends StoreBase {
  readonly name: string;
  readonly durable: boolean;
  private readonly compress: (record: Uint8Array) => Buffer;
  private readonly codecTag: Tag;
  private scratch = new Uint8Array(0);
  private scratchLengths = new Uint16Array(0);
  private counts = { zeroPages: 0, compressed: 0, stored: 0, bytesIn: 0, bytesOut: 0 };

  /**
   * @param inner - the store that keeps the compressed records (the wrapper closes it on close)
   * @param options - codec and level
   */
  constructor(
    private readonly inner: PageStore,
    options: CompressionOptions = {},
  ) {
    super(`compressed ${inner.name} store`, Number.MAX_SAFE_INTEGER);
    this.name = `compressed-${inner.name}`;
    this.durable = inner.durable;
    const codec = options.codec ?? 'deflate';
    const level = options.level ?? 1;
    if (codec === 'deflate') {
      if (!Number.isInteger(level) || level < 1 || level > 9) throw new StoreError('STORE_ARGUMENT', `deflate level ${level} is not 1–9`);
      this.codecTag = Tag.Deflate;
      this.compress = (record) => deflateRawSync(record, { level });
    } else if (codec === 'brotli') {
      if (!Number.isInteger(level) || level < 0 || level > 11) throw new StoreError('STORE_ARGUMENT', `brotli level ${level} is not 0–11`);
      this.codecTag = Tag.Brotli;
      const params = { [constants.BROTLI_PARAM_QUALITY]: level, [constants.BROTLI_PARAM_SIZE_HINT]: STORE_PAGE_BYTES };
      this.compress = (record) => brotliCompressSync(record, { params });
    } else {
      throw new StoreError('STORE_ARGUMENT', `unknown compression codec ${JSON.stringify(codec)} (deflate or brotli)`);
    }
  }

  /** What compression has done so far. */
  compression(): CompressionStats {
    return { ...this.counts };
  }

  protected async doWrite(gfns: Uint32Array, pages: Uint8Array, count: number, lengths: Uint16Array | undefined): Promise<void> {
    this.reserve(count);
    const out = this.scratch;
    const outLengths = this.scratchLengths;
    for (let i = 0; i < count; i++) {
      const at = i * STORE_PAGE_BYTES;
      const length = recordLength(lengths, i);
      if (length === STORE_PAGE_BYTES - 1) {
        throw new StoreError('STORE_ARGUMENT', `${this.label}: a record of ${length} bytes (gfn 0x${gfns[i]!.toString(16)}) cannot be kept: records are 0–${MAX_SHORT_RECORD} bytes or whole pages`, { gfn: gfns[i]! });
      }
      const record = Buffer.from(pages.buffer, pages.byteOffset + at, length);
      this.counts.bytesIn += length;
      if (length === STORE_PAGE_BYTES && record.equals(ZERO_PAGE)) {
        out[at] = Tag.Zero;
        outLengths[i] = 1;
        this.counts.zeroPages++;
      } else {
        const packed = this.compress(record);
        if (packed.length + 1 < length) {
          out[at] = this.codecTag;
          out.set(packed, at + 1);
          outLengths[i] = packed.length + 1;
          this.counts.compressed++;
        } else if (length === STORE_PAGE_BYTES) {
          out.set(record, at);
          outLengths[i] = STORE_PAGE_BYTES;
          this.counts.stored++;
        } else {
          out[at] = Tag.Plain;
          out.set(record, at + 1);
          outLengths[i] = length + 1;
          this.counts.stored++;
        }
      }
      this.counts.bytesOut += outLengths[i]!;
    }
    await this.inner.writeBatch(gfns, out, count, outLengths);
  }

  protected async doRead(gfns: Uint32Array, count: number, into: Uint8Array, lengths: Uint16Array | undefined): Promise<void> {
    this.reserve(count);
    const stored = this.scratch;
    const storedLengths = this.scratchLengths;
    await this.inner.readBatch(gfns, count, stored, storedLengths);
    for (let i = 0; i < count; i++) {
      const at = i * STORE_PAGE_BYTES;
      const length = this.decode(gfns[i]!, stored.subarray(at, at + storedLengths[i]!), into.subarray(at, at + STORE_PAGE_BYTES));
      into.fill(0, at + length, at + STORE_PAGE_BYTES);
      if (lengths) lengths[i] = length;
    }
  }

  protected async doDelete(gfns: Uint32Array, count: number): Promise<void> {
    await this.inner.deleteBatch(gfns, count);
  }

  protected async doFlush(): Promise<void> {
    await this.inner.flush();
  }

  protected async doClose(): Promise<void> {
    await this.inner.close();
  }

  protected bytesUsed(): number {
    return this.inner.stats().bytes;
  }

  protected override heldPages(): number {
    return this.inner.stats().pages;
  }

  /** Decodes a stored record into `into`; returns the record's length. */
  private decode(gfn: number, stored: Uint8Array, into: Uint8Array): number {
    if (stored.length === STORE_PAGE_BYTES) {
      into.set(stored);
      return STORE_PAGE_BYTES;
    }
    const payload = stored.subarray(1);
    try {
      switch (stored[0]) {
        case Tag.Zero:
          if (stored.length !== 1) break;
          into.fill(0);
          return STORE_PAGE_BYTES;
        case Tag.Plain:
          into.set(payload);
          return payload.length;
        case Tag.Deflate:
          return copyOut(inflateRawSync(payload, { maxOutputLength: STORE_PAGE_BYTES }), into);
        case Tag.Brotli:
          return copyOut(brotliDecompressSync(payload, { maxOutputLength: STORE_PAGE_BYTES }), into);
      }
    } catch (error) {
      throw new StoreError('STORE_CORRUPT', `${this.label}: record of gfn 0x${gfn.toString(16)} does not decompress: ${(error as Error).message}`, { gfn, cause: error });
    }
    throw new StoreError('STORE_CORRUPT', `${this.label}: record of gfn 0x${gfn.toString(16)} has an unknown tag ${stored[0]} (${stored.length} bytes)`, { gfn });
  }

  private reserve(count: number): void {
    if (this.scratchLengths.length >= count) return;
    this.scratch = new Uint8Array(count * STORE_PAGE_BYTES);
    this.scratchLengths = new Uint16Array(count);
  }
}

function copyOut(record: Buffer, into: Uint8Array): number {
  into.set(record);
  return record.length;
}

/**
 * Wraps another store plugin in a {@link CompressedStore}.
 *
 * @example
 * ```ts
 * const pager = createPager({ hypervisor, domid, policy: xenpaging(), store: compressedStore(redisStore({ url }), { codec: 'deflate' }) });
 * ```
 */
export function compressedStore(inner: PagevisorPlugin, options: CompressionOptions = {}): PagevisorPlugin {
  return {
    name: `compressed-${inner.name}`,
    register(container, context) {
      inner.register(container, context);
      const store = container.resolve(PAGE_STORE);
      container.provide(PAGE_STORE, new CompressedStore(store, options));
    },
  };
}
