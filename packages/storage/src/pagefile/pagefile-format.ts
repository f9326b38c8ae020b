import { STORE_PAGE_BYTES } from '@pagevisor/core';
import { crc32c } from '../crc32c.js';

/**
 * The pagefile's on-disk layout, version 1 (all integers little-endian):
 *
 * - header, one 4 KiB block: magic `PGVPGFL1`, format version u32 @8, page size u32 @12, slots per
 *   extent u32 @16, slot count u32 @20 (slots the file has grown to), CRC32C of bytes 0–23 @24;
 * - then extents, each a slot table of 1024 records of 16 bytes followed by 1024 slots of 4 KiB.
 *
 * A record: gfn u32 @0, record length u16 @4, sequence number high u16 @6 and low u32 @8 (48 bits,
 * never wraps in practice), CRC32C @12 over the record's bytes 0–11 followed by the record's page
 * bytes, so a flipped bit in either is caught. A free record has sequence number 0 (and is written as
 * 16 zero bytes), so the holes of a sparse file read as free slots.
 */
export const PAGEFILE_MAGIC = 'PGVPGFL1';
export const PAGEFILE_VERSION = 1;
export const HEADER_BYTES = STORE_PAGE_BYTES;
export const EXTENT_SLOTS = 1024;
export const RECORD_BYTES = 16;
export const TABLE_BYTES = EXTENT_SLOTS * RECORD_BYTES;
export const EXTENT_BYTES = TABLE_BYTES + EXTENT_SLOTS * STORE_PAGE_BYTES;

/** Byte offset of a slot's page; plain numbers are exact far beyond 2 GiB (xenpaging 4.1 overflowed there). */
export function dataOffset(slot: number): number {
  return HEADER_BYTES + Math.floor(slot / EXTENT_SLOTS) * EXTENT_BYTES + TABLE_BYTES + (slot % EXTENT_SLOTS) * STORE_PAGE_BYTES;
}

/** Byte offset of a slot's record. */
export function recordOffset(slot: number): number {
  return HEADER_BYTES + Math.floor(slot / EXTENT_SLOTS) * EXTENT_BYTES + (slot % EXTENT_SLOTS) * RECORD_BYTES;
}

/** Byte offset of extent `e`'s slot table. */
export function tableOffset(extent: number): number {
  return HEADER_BYTES + extent * EXTENT_BYTES;
}

/** Writes a header block for a file of `slotCount` slots into `header` (4096 bytes). */
export function encodeHeader(header: Uint8Array, slotCount: number): void {
  const view = new DataView(header.buffer, header.byteOffset, HEADER_BYTES);
  header.fill(0);
  header.set(new TextEncoder().encode(PAGEFILE_MAGIC));
  view.setUint32(8, PAGEFILE_VERSION, true);
  view.setUint32(12, STORE_PAGE_BYTES, true);
  view.setUint32(16, EXTENT_SLOTS, true);
  view.setUint32(20, slotCount, true);
  view.setUint32(24, crc32c(header.subarray(0, 24)), true);
}

/** The slot count a valid header records. */
export function headerSlotCount(header: Uint8Array): number {
  return new DataView(header.buffer, header.byteOffset, HEADER_BYTES).getUint32(20, true);
}

/** Why `header` is not a pagefile this code reads, or `undefined` if it is. */
export function headerProblem(header: Uint8Array): string | undefined {
  const view = new DataView(header.buffer, header.byteOffset, header.byteLength);
  const magic = header.subarray(0, 8);
  if (new TextDecoder().decode(magic) !== PAGEFILE_MAGIC || view.getUint32(24, true) !== crc32c(header.subarray(0, 24))) {
    // In hex: a foreign file's first bytes are rarely text.
    return `is not a Pagevisor pagefile (magic ${Buffer.from(magic).toString('hex')}, expected ${Buffer.from(PAGEFILE_MAGIC).toString('hex')} "${PAGEFILE_MAGIC}")`;
  }
  const version = view.getUint32(8, true);
  const pageBytes = view.getUint32(12, true);
  const extentSlots = view.getUint32(16, true);
  if (version !== PAGEFILE_VERSION || pageBytes !== STORE_PAGE_BYTES || extentSlots !== EXTENT_SLOTS) {
    return `pagefile format ${version}, page size ${pageBytes}, ${extentSlots} slots per extent; this store reads format ${PAGEFILE_VERSION}, ${STORE_PAGE_BYTES}, ${EXTENT_SLOTS}`;
  }
  return undefined;
}

/** Writes a record at `at` in `into`; its CRC covers the page's first `length` bytes. */
export function encodeRecord(into: Uint8Array, at: number, gfn: number, length: number, seq: number, page: Uint8Array): number {
  const view = new DataView(into.buffer, into.byteOffset + at, RECORD_BYTES);
  view.setUint32(0, gfn, true);
  view.setUint16(4, length, true);
  view.setUint16(6, Math.floor(seq / 0x1_0000_0000), true);
  view.setUint32(8, seq >>> 0, true);
  const crc = crc32c(page.subarray(0, length), crc32c(into.subarray(at, at + 12)));
  view.setUint32(12, crc, true);
  return crc;
}

/** A decoded record (a view's fields, read without allocating). */
export interface PagefileRecord {
  gfn: number;
  length: number;
  seq: number;
  crc: number;
}

/** Reads the record at `at` of `table` into `out`; `false` for a free record. */
export function decodeRecord(table: Uint8Array, at: number, out: PagefileRecord): boolean {
  const view = new DataView(table.buffer, table.byteOffset + at, RECORD_BYTES);
  out.seq = view.getUint16(6, true) * 0x1_0000_0000 + view.getUint32(8, true);
  if (out.seq === 0) return false;
  out.gfn = view.getUint32(0, true);
  out.length = view.getUint16(4, true);
  out.crc = view.getUint32(12, true);
  return true;
}

/** Whether the record at `at` of `table` matches the page bytes it describes. */
export function recordMatches(table: Uint8Array, at: number, record: PagefileRecord, page: Uint8Array): boolean {
  if (record.length > STORE_PAGE_BYTES) return false;
  return crc32c(page.subarray(0, record.length), crc32c(table.subarray(at, at + 12))) === record.crc;
}
