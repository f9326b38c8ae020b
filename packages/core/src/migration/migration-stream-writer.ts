import { crc32 } from 'node:zlib';
import { PAGE_BYTES } from '../page-bytes.js';
import type { MigrationHeader, MigrationRecord } from './migration-records.js';
import * as format from './migration-stream-format.js';

/**
 * The first bytes of a migration stream: the image header and the domain header (docs/guides/migration.md).
 *
 * @throws RangeError for a gfn count that is not a whole number from 1 to 2^32 − 1
 *
 * @example
 * ```ts
 * socket.write(encodeMigrationHeader({ domainType: 'hvm', gfns: domain.maxGfns }));
 * ```
 */
export function encodeMigrationHeader(header: MigrationHeader): Uint8Array {
  if (!Number.isInteger(header.gfns) || header.gfns < 1 || header.gfns > 0xffff_ffff) throw new RangeError(`a migrated domain has 1 to 2^32 - 1 gfns, not ${header.gfns}`);
  const bytes = new Uint8Array(format.MIGRATION_IMAGE_HEADER_BYTES + format.MIGRATION_DOMAIN_HEADER_BYTES);
  const view = new DataView(bytes.buffer);
  // Image header, big-endian (Xen's struct xc_sr_ihdr); options 0: little-endian records.
  view.setUint32(0, format.MIGRATION_MARKER);
  view.setUint32(4, format.MIGRATION_MARKER);
  view.setUint32(8, format.MIGRATION_ID);
  view.setUint32(12, format.MIGRATION_VERSION);
  // Domain header, little-endian (Xen's struct xc_sr_dhdr, with the gfn count for the Xen version).
  const at = format.MIGRATION_IMAGE_HEADER_BYTES;
  view.setUint32(at, header.domainType === 'hvm' ? format.MIGRATION_DOMAIN_HVM : format.MIGRATION_DOMAIN_PV, true);
  view.setUint16(at + 4, format.MIGRATION_PAGE_SHIFT, true);
  view.setUint32(at + 8, header.gfns, true);
  return bytes;
}

/**
 * One record, header, body and padding, ready to send.
 *
 * @throws RangeError for a record the format cannot hold: no entries or more than
 * {@link MIGRATION_BATCH_PAGES}, a page type that is not a {@link MIGRATION_PAGE} value, page bytes
 * that are not 4096 per page with contents
 *
 * @example
 * ```ts
 * socket.write(encodeMigrationRecord({ type: 'paged-ref', count: 2, gfns: Uint32Array.of(3, 4) }));
 * socket.write(encodeMigrationRecord({ type: 'end' }));
 * ```
 */
export function encodeMigrationRecord(record: MigrationRecord): Uint8Array {
  switch (record.type) {
    case 'end':
      return framed(format.RECORD_END, new Uint8Array(0));
    case 'page-data':
      return framed(format.RECORD_PAGE_DATA, pageList(record.count, record.gfns, record.kinds, record.pages));
    case 'paged-data':
      return framed(format.RECORD_PAGED_DATA, pageList(record.count, record.gfns, undefined, record.pages));
    case 'paged-ref':
      return framed(format.RECORD_PAGED_REF, pageList(record.count, record.gfns, undefined, undefined));
    case 'postcopy-missing':
      return framed(format.RECORD_POSTCOPY_MISSING, pageList(record.count, record.gfns, undefined, undefined));
    case 'page-request':
      return framed(format.RECORD_PAGE_REQUEST, pageList(record.count, record.gfns, undefined, undefined));
    case 'store-ref': {
      const text = new TextEncoder().encode(record.store);
      const body = new Uint8Array(8 + text.length);
      new DataView(body.buffer).setUint32(0, text.length, true);
      body.set(text, 8);
      return framed(format.RECORD_STORE_REF, body);
    }
    case 'round': {
      const body = new Uint8Array(8);
      const view = new DataView(body.buffer);
      view.setUint32(0, record.round, true);
      view.setUint32(4, record.pages, true);
      return framed(format.RECORD_ROUND, body);
    }
  }
}

/**
 * PAGE_DATA's body (count u32, reserved u32, one u64 per entry with the page type in bits 63–60, then
 * the pages with contents), shared by PAGED_DATA (every entry `normal`, with contents) and the gfn
 * lists PAGED_REF, POSTCOPY_MISSING and PAGE_REQUEST (every entry `normal`, no contents).
 */
function pageList(count: number, gfns: Uint32Array, kinds: Uint8Array | undefined, pages: Uint8Array | undefined): Uint8Array {
  if (!Number.isInteger(count) || count < 1 || count > format.MIGRATION_BATCH_PAGES || gfns.length < count) throw new RangeError(`a page record lists 1 to ${format.MIGRATION_BATCH_PAGES} gfns, not ${count} (of ${gfns.length} given)`);
  let withData = 0;
  for (let i = 0; i < count; i++) {
    const kind = kinds === undefined ? format.MIGRATION_PAGE.normal : kinds[i];
    if (kind !== format.MIGRATION_PAGE.normal && kind !== format.MIGRATION_PAGE.broken && kind !== format.MIGRATION_PAGE.invalid) throw new RangeError(`entry ${i} (gfn ${gfns[i]}): page type ${kind} is not a MIGRATION_PAGE value`);
    if (kind === format.MIGRATION_PAGE.normal) withData++;
  }
  const dataBytes = pages === undefined ? 0 : withData * PAGE_BYTES;
  if (pages !== undefined && pages.length < dataBytes) throw new RangeError(`${withData} pages with contents need ${dataBytes} bytes, not ${pages.length}`);
  const body = new Uint8Array(8 + 8 * count + dataBytes);
  const view = new DataView(body.buffer);
  view.setUint32(0, count, true);
  for (let i = 0; i < count; i++) {
    view.setUint32(8 + 8 * i, gfns[i]!, true);
    view.setUint32(12 + 8 * i, (kinds === undefined ? 0 : kinds[i]!) << 28 >>> 0, true);
  }
  if (pages !== undefined) body.set(pages.subarray(0, dataBytes), 8 + 8 * count);
  return body;
}

/** A record: header (type, length, CRC32 of both and the body), body, zeros to the next 8-byte boundary. */
function framed(type: number, body: Uint8Array): Uint8Array {
  const padded = Math.ceil(body.length / format.MIGRATION_RECORD_ALIGN) * format.MIGRATION_RECORD_ALIGN;
  const bytes = new Uint8Array(format.MIGRATION_RECORD_HEADER_BYTES + padded);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, type, true);
  view.setUint32(4, body.length, true);
  view.setUint32(8, crc32(body, crc32(bytes.subarray(0, 8))), true);
  bytes.set(body, format.MIGRATION_RECORD_HEADER_BYTES);
  return bytes;
}
