import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { isPagevisorError } from '@pagevisor/core';
import { checkRecords, PagefileStore } from '@pagevisor/storage';
import { rejection } from './support/rejection.js';

const dirs: string[] = [];
function tempPath(name = 'guest.pagefile'): string {
  const dir = mkdtempSync(join(tmpdir(), 'pagefile-test-'));
  dirs.push(dir);
  return join(dir, name);
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function pagesOf(...fills: number[]): Uint8Array {
  const pages = new Uint8Array(fills.length * 4096);
  fills.forEach((fill, i) => {
    pages.fill(fill, i * 4096, (i + 1) * 4096);
    pages[i * 4096] = i; // make pages differ inside too
  });
  return pages;
}

describe('PagefileStore', () => {
  it('creates no directory: a missing one is STORE_IO naming it', async () => {
    const path = join(dirname(tempPath()), 'missing', 'guest.pagefile');
    expect(await rejection(PagefileStore.open({ path }, 64))).toMatchObject({ code: 'STORE_IO', message: expect.stringMatching(/directory .*missing does not exist/) });
    expect(existsSync(dirname(path))).toBe(false);
  });

  it('read-only: refuses writes and deletes, writes nothing on flush or close, and refuses a missing file', async () => {
    const path = tempPath();
    const writer = await PagefileStore.open({ path }, 64);
    await writer.writeBatch(Uint32Array.of(1, 2), pagesOf(0x11, 0x22), 2);
    await writer.writeBatch(Uint32Array.of(1), pagesOf(0x33), 1); // leaves an old version to free at flush
    await writer.close();
    const bytes = readFileSync(path);
    const reader = await PagefileStore.open({ path, readOnly: true }, 64);
    expect(await rejection(reader.writeBatch(Uint32Array.of(3), pagesOf(1), 1))).toMatchObject({ code: 'STORE_READ_ONLY' });
    expect(await rejection(reader.deleteBatch(Uint32Array.of(1), 1))).toMatchObject({ code: 'STORE_READ_ONLY' });
    expect(await rejection(reader.repair())).toMatchObject({ code: 'STORE_READ_ONLY' });
    const out = new Uint8Array(4096);
    await reader.readBatch(Uint32Array.of(1), 1, out);
    expect(out[1]).toBe(0x33);
    await reader.flush();
    await reader.close();
    expect(readFileSync(path).equals(bytes)).toBe(true);
    expect(await rejection(PagefileStore.open({ path: `${path}.none`, readOnly: true }, 64))).toMatchObject({ code: 'STORE_IO' });
    expect(existsSync(`${path}.none`)).toBe(false);
  });

  it('round-trips pages, and finds them again after reopening', async () => {
    const path = tempPath();
    const store = await PagefileStore.open({ path }, 1 << 20);
    await store.writeBatch(Uint32Array.of(7, 900_000, 3), pagesOf(0x11, 0x22, 0x33), 3);
    await store.writeBatch(Uint32Array.of(7), pagesOf(0x44), 1); // overwrite
    await store.deleteBatch(Uint32Array.of(3), 1);
    await store.close();
    const reopened = await PagefileStore.open({ path }, 1 << 20);
    const out = new Uint8Array(2 * 4096);
    await reopened.readBatch(Uint32Array.of(900_000, 7), 2, out);
    expect([out[0], out[1], out[4095]]).toEqual([1, 0x22, 0x22]); // gfn 900000 was the batch's second page
    expect([out[4096], out[4097]]).toEqual([0, 0x44]);
    expect(reopened.stats().pages).toBe(2);
    expect(await rejection(reopened.readBatch(Uint32Array.of(3), 1, out))).toMatchObject({ code: 'STORE_MISSING', gfn: 3 });
    await reopened.close();
  });

  it('keeps the newest version of a page when a crash left an old slot unreleased', async () => {
    const path = tempPath();
    const store = await PagefileStore.open({ path }, 64);
    await store.writeBatch(Uint32Array.of(5), pagesOf(0x01), 1);
    await store.flush();
    await store.writeBatch(Uint32Array.of(5), pagesOf(0x02), 1);
    // "Crash": no flush, so the old slot was never released; the file is simply abandoned.
    const reopened = await PagefileStore.open({ path }, 64);
    const out = new Uint8Array(4096);
    await reopened.readBatch(Uint32Array.of(5), 1, out);
    expect(out[1]).toBe(0x02);
    expect(reopened.stats().pages).toBe(1);
    expect(reopened.recovery).toEqual({ missingSlots: 0, damaged: 0, orphaned: 1 });
    expect(await checkRecords(reopened.inspect())).toEqual({ ok: 1, corrupt: 0, orphaned: 1 });
    await reopened.flush(); // frees the slot the crash left behind
    expect(await checkRecords(reopened.inspect())).toEqual({ ok: 1, corrupt: 0, orphaned: 0 });
    await reopened.close();
    await store.close();
  });

  it('detects a flipped byte on read, and skips the damaged page on reopen while the others stay readable', async () => {
    const path = tempPath();
    const store = await PagefileStore.open({ path }, 64);
    await store.writeBatch(Uint32Array.of(1, 2), pagesOf(0xaa, 0xbb), 2);
    await store.flush();
    const bytes = readFileSync(path);
    const firstPage = 4096 + 16 * 1024; // header, then the first extent's slot table
    bytes[firstPage + 100]! ^= 0x40;
    writeFileSync(path, bytes);
    const out = new Uint8Array(4096);
    const error = await rejection(store.readBatch(Uint32Array.of(1), 1, out));
    expect(error).toMatchObject({ code: 'STORE_CORRUPT', gfn: 1 });
    expect(error.message).toMatch(/gfn 0x1 \(slot 0\) fails its CRC32C/);
    await store.close();
    const reopened = await PagefileStore.open({ path }, 64);
    expect(reopened.recovery.damaged).toBe(1);
    expect(await checkRecords(reopened.inspect())).toEqual({ ok: 1, corrupt: 1, orphaned: 0 });
    await reopened.readBatch(Uint32Array.of(2), 1, out);
    expect(out[1]).toBe(0xbb);
    await reopened.close();
  });

  it('survives a truncated file: the page cut off is named as corrupt, earlier ones intact', async () => {
    const path = tempPath();
    const store = await PagefileStore.open({ path }, 64);
    await store.writeBatch(Uint32Array.of(1, 2, 3), pagesOf(1, 2, 3), 3);
    await store.close();
    expect(statSync(path).size).toBe(4096 + 16384 + 1024 * 4096); // grown by whole extents
    truncateSync(path, 4096 + 16384 + 2 * 4096 + 4000); // cut into the third page
    const reopened = await PagefileStore.open({ path }, 64);
    // The header still counts 1024 slots: the file lost 1022 of them, and the third page is damaged.
    expect(reopened.recovery).toEqual({ missingSlots: 1022, damaged: 1, orphaned: 0 });
    const out = new Uint8Array(2 * 4096);
    await reopened.readBatch(Uint32Array.of(1, 2), 2, out);
    expect([out[1], out[4096 + 1]]).toEqual([1, 2]);
    const error = await rejection(reopened.readBatch(Uint32Array.of(3), 1, out));
    expect(error).toMatchObject({ code: 'STORE_CORRUPT', gfn: 3 });
    expect(error.message).toMatch(/gfn 0x3 \(slot 2\) is cut off by the end of the file/);
    await reopened.close();
  });

  it('refuses a file of another format', async () => {
    const path = tempPath();
    const store = await PagefileStore.open({ path }, 64);
    await store.close();
    writeFileSync(path, Buffer.concat([Buffer.from('NOTAPAGEFILE'), Buffer.alloc(5000)]));
    const error = await rejection(PagefileStore.open({ path }, 64));
    expect(isPagevisorError(error, 'STORE_FORMAT')).toBe(true);
    expect(error.message).toMatch(/is not a Pagevisor pagefile/);
  });

  it('refuses use after close', async () => {
    const store = await PagefileStore.open({ path: tempPath() }, 64);
    await store.close();
    expect(await rejection(store.flush())).toMatchObject({ code: 'STORE_CLOSED' });
  });
});
