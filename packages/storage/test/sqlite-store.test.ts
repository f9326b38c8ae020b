import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SqliteStore } from '@pagevisor/storage';
import { rejection } from './support/rejection.js';

const dirs: string[] = [];
function tempPath(): string {
  const dir = mkdtempSync(join(tmpdir(), 'sqlite-test-'));
  dirs.push(dir);
  return join(dir, 'guest.sqlite');
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** Pages that start with a marker line naming their gfn, so a test can find them in the file. */
function markedPages(gfns: number[]): Uint8Array {
  const pages = new Uint8Array(gfns.length * 4096);
  gfns.forEach((gfn, i) => {
    pages.fill(0x30 + i, i * 4096, (i + 1) * 4096);
    pages.set(new TextEncoder().encode(`marker gfn=${gfn};`), i * 4096);
  });
  return pages;
}

describe('SqliteStore', () => {
  it('read-only: refuses writes, changes no byte, refuses a missing file, and a database without its tables', async () => {
    const path = tempPath();
    const writer = await SqliteStore.open({ path }, 64);
    await writer.writeBatch(Uint32Array.of(1, 2), markedPages([1, 2]), 2);
    await writer.close();
    const bytes = readFileSync(path);
    const reader = await SqliteStore.open({ path, readOnly: true }, 64);
    expect(await rejection(reader.writeBatch(Uint32Array.of(3), markedPages([3]), 1))).toMatchObject({ code: 'STORE_READ_ONLY' });
    expect(await rejection(reader.deleteBatch(Uint32Array.of(1), 1))).toMatchObject({ code: 'STORE_READ_ONLY' });
    const out = new Uint8Array(4096);
    await reader.readBatch(Uint32Array.of(2), 1, out);
    expect(new TextDecoder().decode(out.subarray(0, 13))).toBe('marker gfn=2;');
    expect(reader.stats().pages).toBe(2);
    await reader.close();
    expect(readFileSync(path).equals(bytes)).toBe(true);
    expect(await rejection(SqliteStore.open({ path: `${path}.none`, readOnly: true }, 64))).toMatchObject({ code: 'STORE_IO' });
    expect(existsSync(`${path}.none`)).toBe(false);
    expect(await rejection(SqliteStore.open({ path: join(dirname(path), 'missing', 'x.sqlite') }, 64))).toMatchObject({ message: expect.stringMatching(/directory .*missing does not exist/) });
  });

  it('names the gfn whose blob has a flipped byte, and keeps the other pages readable', async () => {
    const path = tempPath();
    const store = await SqliteStore.open({ path }, 64);
    await store.writeBatch(Uint32Array.of(1, 2, 3), markedPages([1, 2, 3]), 3);
    await store.close();
    const bytes = readFileSync(path);
    const at = bytes.indexOf('marker gfn=2;');
    expect(at).toBeGreaterThan(0);
    bytes[at + 20]! ^= 0x01; // inside the blob, next to the marker
    writeFileSync(path, bytes);
    const reopened = await SqliteStore.open({ path }, 64);
    const out = new Uint8Array(4096);
    const error = await rejection(reopened.readBatch(Uint32Array.of(2), 1, out));
    expect(error).toMatchObject({ code: 'STORE_CORRUPT', gfn: 2 });
    expect(error.message).toMatch(/gfn 0x2 fails its CRC32C/);
    for (const gfn of [1, 3]) {
      await reopened.readBatch(Uint32Array.of(gfn), 1, out);
      expect(new TextDecoder().decode(out.subarray(0, 13))).toBe(`marker gfn=${gfn};`);
    }
    const rows: Array<[number | undefined, boolean]> = [];
    for await (const r of reopened.inspect()) rows.push([r.gfn, r.ok]);
    expect(rows).toEqual([
      [1, true],
      [2, false],
      [3, true],
    ]);
    await reopened.close();
  });

  it('refuses a file that is not a SQLite database, and one of another schema version', async () => {
    const path = tempPath();
    const store = await SqliteStore.open({ path }, 64);
    await store.close();
    const other = join(dirname(path), 'not-a-database.sqlite');
    writeFileSync(other, Buffer.alloc(8192, 0x41));
    expect(await rejection(SqliteStore.open({ path: other }, 64))).toMatchObject({ code: 'STORE_FORMAT', message: expect.stringMatching(/is not a SQLite database/) });
    const { default: Database } = await import('better-sqlite3');
    const db = new Database(path);
    db.prepare("UPDATE pagevisor_meta SET value = 99 WHERE key = 'format'").run();
    db.close();
    expect(await rejection(SqliteStore.open({ path }, 64))).toMatchObject({ code: 'STORE_FORMAT', message: expect.stringMatching(/schema 99/) });
  });

  it('reports a truncated database as corrupt rather than returning wrong pages', async () => {
    const path = tempPath();
    const store = await SqliteStore.open({ path }, 4096);
    const gfns = Uint32Array.from({ length: 200 }, (_, i) => i);
    await store.writeBatch(gfns, markedPages([...gfns]), 200);
    await store.close();
    truncateSync(path, Math.floor(statSync(path).size / 2));
    let error: Error & { code?: string };
    try {
      const reopened = await SqliteStore.open({ path }, 4096);
      error = await rejection(reopened.readBatch(gfns, 200, new Uint8Array(200 * 4096)));
      await reopened.close().catch(() => undefined);
    } catch (opening) {
      error = opening as Error;
    }
    expect(error.code).toBe('STORE_CORRUPT');
  });
});
