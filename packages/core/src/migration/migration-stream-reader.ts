import { crc32 } from 'node:zlib';
import { MigrationError, type MigrationErrorCode } from '../errors/migration-error.js';
import { PAGE_BYTES } from '../page-bytes.js';
import type { MigrationHeader, MigrationRecord } from './migration-records.js';
import {
  MIGRATION_BATCH_PAGES,
  MIGRATION_DOMAIN_HEADER_BYTES,
  MIGRATION_DOMAIN_HVM,
  MIGRATION_DOMAIN_PV,
  MIGRATION_ID,
  MIGRATION_IMAGE_HEADER_BYTES,
  MIGRATION_MARKER,
  MIGRATION_PAGE,
  MIGRATION_PAGE_SHIFT,
  MIGRATION_RECORD_ALIGN,
  MIGRATION_RECORD_HEADER_BYTES,
  MIGRATION_RECORD_MAX_BYTES,
  MIGRATION_VERSION,
  RECORD_END,
  RECORD_OPTIONAL,
  RECORD_PAGE_DATA,
  RECORD_PAGED_DATA,
  RECORD_PAGED_REF,
  RECORD_PAGE_REQUEST,
  RECORD_POSTCOPY_MISSING,
  RECORD_ROUND,
  RECORD_STORE_REF,
} from './migration-stream-format.js';

const HEADERS_BYTES = MIGRATION_IMAGE_HEADER_BYTES + MIGRATION_DOMAIN_HEADER_BYTES;
const UTF8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Reads a migration stream as it arrives, in chunks of any size: each {@link MigrationStreamReader.push}
 * returns the records completed by that chunk, checked (headers, CRC32, lengths, page types, gfns
 * within the domain). The first error stops the reader for good (later calls throw it again): a
 * destination that gets one restores nothing from the stream.
 *
 * @example
 * ```ts
 * const reader = new MigrationStreamReader();
 * socket.on('data', (chunk) => {
 *   for (const record of reader.push(chunk)) restore(reader.header!, record);
 * });
 * socket.on('end', () => reader.finish()); // MIGRATION_TRUNCATED unless END came
 * ```
 */
export class MigrationStreamReader {
  private readonly chunks: Uint8Array[] = [];
  /** Bytes of `chunks[0]` already consumed. */
  private head = 0;
  private buffered = 0;
  private consumed = 0;
  /** Where the record being read starts in the stream. */
  private recordStart = 0;
  private records = 0;
  private domain: MigrationHeader | undefined;
  private storeNamed = false;
  private done = false;
  private failure: MigrationError | undefined;
  private readonly peeked = new Uint8Array(MIGRATION_RECORD_HEADER_BYTES);

  /** The stream's domain header, once its first 40 bytes have arrived. */
  get header(): MigrationHeader | undefined {
    return this.domain;
  }

  /** Whether the END record has been read. */
  get ended(): boolean {
    return this.done;
  }

  /** Records read so far. */
  get recordsRead(): number {
    return this.records;
  }

  /** Bytes of the stream read into records (or headers) so far. */
  get bytesRead(): number {
    return this.consumed;
  }

  /**
   * Takes the next bytes of the stream.
   *
   * @returns the records this chunk completed, in stream order (optional records this reader does not
   * know are skipped, as Xen's restore skips them)
   * @throws {@link MigrationError} for bad headers or records, and for bytes after END
   */
  push(chunk: Uint8Array): MigrationRecord[] {
    if (this.failure) throw this.failure;
    try {
      if (this.done && chunk.length > 0) {
        this.recordStart = this.consumed;
        this.fail('MIGRATION_RECORD', `${chunk.length} bytes after the END record`, this.records + 1);
      }
      if (chunk.length > 0) {
        this.chunks.push(chunk);
        this.buffered += chunk.length;
      }
      return this.drain();
    } catch (error) {
      if (error instanceof MigrationError) this.failure = error;
      throw error;
    }
  }

  /**
   * Says the stream is over.
   *
   * @throws {@link MigrationError} `MIGRATION_TRUNCATED` when it ended inside a header or record or
   * before END (or the error the reader stopped on)
   */
  finish(): void {
    if (this.failure) throw this.failure;
    if (this.done) return;
    const where = this.domain === undefined ? `${this.buffered} bytes of the ${HEADERS_BYTES}-byte headers` : this.buffered > 0 ? `${this.buffered} bytes into record ${this.records + 1}` : `after record ${this.records}, before END`;
    this.failure = new MigrationError('MIGRATION_TRUNCATED', `migration stream ended ${where}`, { offset: this.consumed, record: this.domain === undefined ? 0 : this.records + 1 });
    throw this.failure;
  }

  private drain(): MigrationRecord[] {
    const out: MigrationRecord[] = [];
    if (this.domain === undefined) {
      if (this.buffered < HEADERS_BYTES) return out;
      this.domain = this.readHeaders(this.take(HEADERS_BYTES));
    }
    while (!this.done && this.buffered >= MIGRATION_RECORD_HEADER_BYTES) {
      this.copy(this.peeked, MIGRATION_RECORD_HEADER_BYTES);
      const view = new DataView(this.peeked.buffer);
      const type = view.getUint32(0, true);
      const length = view.getUint32(4, true);
      this.recordStart = this.consumed;
      if (length > MIGRATION_RECORD_MAX_BYTES) this.fail('MIGRATION_RECORD', `record ${this.records + 1} (type ${hex(type)}) has a ${length}-byte body; the most is ${MIGRATION_RECORD_MAX_BYTES}`, this.records + 1);
      const total = MIGRATION_RECORD_HEADER_BYTES + Math.ceil(length / MIGRATION_RECORD_ALIGN) * MIGRATION_RECORD_ALIGN;
      if (this.buffered < total) break;
      const bytes = this.take(total);
      this.records++;
      const body = bytes.subarray(MIGRATION_RECORD_HEADER_BYTES, MIGRATION_RECORD_HEADER_BYTES + length);
      const sum = crc32(body, crc32(bytes.subarray(0, 8)));
      if (sum !== view.getUint32(8, true)) this.fail('MIGRATION_CHECKSUM', `record ${this.records} (type ${hex(type)}, ${length} bytes): CRC32 ${hex(sum)}, the header says ${hex(view.getUint32(8, true))}`);
      const record = this.decode(type, body);
      if (record !== undefined) out.push(record);
    }
    return out;
  }

  private readHeaders(bytes: Uint8Array): MigrationHeader {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const at = (offset: number) => ({ offset, record: 0 });
    if (view.getUint32(0) !== MIGRATION_MARKER || view.getUint32(4) !== MIGRATION_MARKER || view.getUint32(8) !== MIGRATION_ID) {
      const id = view.getUint32(8);
      throw new MigrationError('MIGRATION_HEADER', `not a Pagevisor migration stream: id ${hex(id)}${id === 0x5845_4e46 ? ' (a Xen migration v2 image, "XENF")' : ''}, expected ${hex(MIGRATION_ID)} ("PGVM") after 8 bytes of 0xff`, at(0));
    }
    const version = view.getUint32(12);
    if (version !== MIGRATION_VERSION) throw new MigrationError('MIGRATION_HEADER', `migration stream version ${version}; this reader knows version ${MIGRATION_VERSION}`, at(12));
    if ((view.getUint16(16) & 1) !== 0) throw new MigrationError('MIGRATION_HEADER', 'a big-endian migration stream; only little-endian records are read', at(16));
    const domainAt = MIGRATION_IMAGE_HEADER_BYTES;
    const type = view.getUint32(domainAt, true);
    if (type !== MIGRATION_DOMAIN_PV && type !== MIGRATION_DOMAIN_HVM) throw new MigrationError('MIGRATION_HEADER', `domain type ${type}: expected ${MIGRATION_DOMAIN_PV} (PV) or ${MIGRATION_DOMAIN_HVM} (HVM)`, at(domainAt));
    const shift = view.getUint16(domainAt + 4, true);
    if (shift !== MIGRATION_PAGE_SHIFT) throw new MigrationError('MIGRATION_HEADER', `page shift ${shift}: only ${MIGRATION_PAGE_SHIFT} (4096-byte pages) is read`, at(domainAt + 4));
    const gfns = view.getUint32(domainAt + 8, true);
    if (gfns === 0) throw new MigrationError('MIGRATION_HEADER', 'the domain header gives 0 gfns', at(domainAt + 8));
    return { domainType: type === MIGRATION_DOMAIN_HVM ? 'hvm' : 'pv', gfns };
  }

  private decode(type: number, body: Uint8Array): MigrationRecord | undefined {
    const view = new DataView(body.buffer, body.byteOffset, body.byteLength);
    switch (type) {
      case RECORD_END:
        if (body.length !== 0) this.fail('MIGRATION_RECORD', `END record ${this.records} has a ${body.length}-byte body; it has none`);
        this.done = true;
        return { type: 'end' };
      case RECORD_PAGE_DATA:
        return this.pageList('page-data', body);
      case RECORD_PAGED_DATA:
        return this.pageList('paged-data', body);
      case RECORD_PAGED_REF:
        if (!this.storeNamed) this.fail('MIGRATION_RECORD', `PAGED_REF record ${this.records} before any STORE_REF: no store holds its pages`);
        return this.pageList('paged-ref', body);
      case RECORD_POSTCOPY_MISSING:
        return this.pageList('postcopy-missing', body);
      case RECORD_PAGE_REQUEST:
        return this.pageList('page-request', body);
      case RECORD_STORE_REF: {
        const length = body.length >= 8 ? view.getUint32(0, true) : -1;
        if (length < 0 || body.length !== 8 + length) this.fail('MIGRATION_RECORD', `STORE_REF record ${this.records}: a ${body.length}-byte body for a ${length}-byte descriptor`);
        let store = '';
        try {
          store = UTF8.decode(body.subarray(8));
        } catch (error) {
          this.fail('MIGRATION_RECORD', `STORE_REF record ${this.records}: the descriptor is not UTF-8 (${(error as Error).message})`);
        }
        this.storeNamed = true;
        return { type: 'store-ref', store };
      }
      case RECORD_ROUND:
        if (body.length !== 8) this.fail('MIGRATION_RECORD', `ROUND record ${this.records} has a ${body.length}-byte body; it has 8`);
        return { type: 'round', round: view.getUint32(0, true), pages: view.getUint32(4, true) };
      default:
        if ((type & RECORD_OPTIONAL) !== 0) return undefined;
        return this.fail('MIGRATION_RECORD', `record ${this.records}: unknown mandatory record type ${hex(type)}`);
    }
  }

  /** PAGE_DATA's layout (Xen's), also PAGED_DATA's (every page normal, with data) and PAGED_REF's (normal, no data). */
  private pageList(kind: 'page-data' | 'paged-data' | 'paged-ref' | 'postcopy-missing' | 'page-request', body: Uint8Array): MigrationRecord {
    const view = new DataView(body.buffer, body.byteOffset, body.byteLength);
    const name = kind.toUpperCase().replace('-', '_');
    const hasData = kind === 'page-data' || kind === 'paged-data';
    const count = body.length >= 8 ? view.getUint32(0, true) : 0;
    if (count < 1 || count > MIGRATION_BATCH_PAGES || body.length < 8 + 8 * count) this.fail('MIGRATION_RECORD', `${name} record ${this.records}: ${count} entries in a ${body.length}-byte body (1 to ${MIGRATION_BATCH_PAGES}, 8 bytes each)`);
    const gfns = new Uint32Array(count);
    const kinds = new Uint8Array(count);
    const limit = this.domain!.gfns;
    let withData = 0;
    for (let i = 0; i < count; i++) {
      const low = view.getUint32(8 + 8 * i, true);
      const high = view.getUint32(12 + 8 * i, true);
      const pageType = high >>> 28;
      // Bits 59–52 are reserved (ignored, as Xen's restore does); bits 51–32 would be a gfn of 2^32 or more.
      if ((high & 0x000f_ffff) !== 0 || low >= limit) this.fail('MIGRATION_RECORD', `${name} record ${this.records}, entry ${i}: gfn ${(high & 0x000f_ffff) * 2 ** 32 + low} is beyond the domain's ${limit} gfns`);
      if (pageType !== MIGRATION_PAGE.normal && (kind !== 'page-data' || (pageType !== MIGRATION_PAGE.broken && pageType !== MIGRATION_PAGE.invalid))) {
        this.fail('MIGRATION_RECORD', `${name} record ${this.records}, entry ${i} (gfn ${low}): page type ${hex(pageType)} is not allowed here`);
      }
      gfns[i] = low;
      kinds[i] = pageType;
      if (pageType === MIGRATION_PAGE.normal && hasData) withData++;
    }
    const expected = 8 + 8 * count + withData * PAGE_BYTES;
    if (body.length !== expected) this.fail('MIGRATION_RECORD', `${name} record ${this.records}: ${body.length} bytes for ${count} entries and ${withData} pages (${expected} expected)`);
    const pages = body.subarray(8 + 8 * count);
    if (kind === 'page-data') return { type: kind, count, gfns, kinds, pages };
    if (kind === 'paged-data') return { type: kind, count, gfns, pages };
    return { type: kind, count, gfns };
  }

  /** Throws an error about the record that starts at `recordStart` (by default the one just read). */
  private fail(code: MigrationErrorCode, message: string, record = this.records): never {
    throw new MigrationError(code, message, { offset: this.recordStart, record });
  }

  /** Copies the next `n` buffered bytes into `into` without consuming them. */
  private copy(into: Uint8Array, n: number): void {
    let filled = 0;
    let at = this.head;
    for (const chunk of this.chunks) {
      const part = chunk.subarray(at, Math.min(chunk.length, at + n - filled));
      into.set(part, filled);
      filled += part.length;
      at = 0;
      if (filled === n) return;
    }
  }

  /** Consumes the next `n` buffered bytes into a buffer of their own. */
  private take(n: number): Uint8Array {
    const out = new Uint8Array(n);
    let filled = 0;
    while (filled < n) {
      const chunk = this.chunks[0]!;
      const part = chunk.subarray(this.head, Math.min(chunk.length, this.head + n - filled));
      out.set(part, filled);
      filled += part.length;
      this.head += part.length;
      if (this.head === chunk.length) {
        this.chunks.shift();
        this.head = 0;
      }
    }
    this.buffered -= n;
    this.consumed += n;
    return out;
  }
}

function hex(n: number): string {
  return `0x${n.toString(16)}`;
}
