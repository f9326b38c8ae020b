import type { FileHandle } from 'node:fs/promises';
import { STORE_PAGE_BYTES } from '@pagevisor/core';
import { decodeRecord, EXTENT_BYTES, EXTENT_SLOTS, HEADER_BYTES, RECORD_BYTES, recordMatches, TABLE_BYTES, tableOffset, type PagefileRecord } from './pagefile-format.js';

/** What a scan found in one used slot: `ok`, a CRC mismatch, or a page cut off by the file's end. */
export type SlotCondition = 'ok' | 'crc' | 'truncated';

/** Called for every used slot; `record` and `page` are reused between calls. */
export type SlotVisitor = (slot: number, record: Readonly<PagefileRecord>, condition: SlotCondition, page: Uint8Array) => void;

/** Extents a file of `size` bytes holds, counting a partial last one. */
export function extentsIn(size: number): number {
  return Math.max(0, Math.ceil((size - HEADER_BYTES) / EXTENT_BYTES));
}

/**
 * Reads every extent of the pagefile (one read per extent) and calls `visit` for every used slot,
 * checking each record against its page.
 */
export async function scanPagefile(file: FileHandle, size: number, visit: SlotVisitor): Promise<void> {
  const buffer = new Uint8Array(EXTENT_BYTES);
  for (let e = 0, extents = extentsIn(size); e < extents; e++) await scanExtent(file, e, buffer, visit);
}

/** Reads extent `e` into `buffer` and calls `visit` for each of its used slots. */
export async function scanExtent(file: FileHandle, e: number, buffer: Uint8Array, visit: SlotVisitor): Promise<void> {
  const record: PagefileRecord = { gfn: 0, length: 0, seq: 0, crc: 0 };
  // Bytes past the end of a truncated file read as free records.
  buffer.fill(0, 0, TABLE_BYTES);
  const { bytesRead } = await file.read(buffer, 0, EXTENT_BYTES, tableOffset(e));
  for (let i = 0; i < EXTENT_SLOTS; i++) {
    if (!decodeRecord(buffer, i * RECORD_BYTES, record)) continue;
    const start = TABLE_BYTES + i * STORE_PAGE_BYTES;
    const page = buffer.subarray(start, start + STORE_PAGE_BYTES);
    const condition: SlotCondition =
      start + Math.min(record.length, STORE_PAGE_BYTES) > bytesRead ? 'truncated' : recordMatches(buffer, i * RECORD_BYTES, record, page) ? 'ok' : 'crc';
    visit(e * EXTENT_SLOTS + i, record, condition, page);
  }
}
