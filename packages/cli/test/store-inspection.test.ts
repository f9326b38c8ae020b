import { readFileSync, writeFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { EXIT_CODES } from '@pagevisor/cli';
import { cli } from './support/cli.js';
import { providedRedis } from './support/redis.js';
import { tempFiles } from './support/temp-files.js';

const tempPath = tempFiles('pv-store-inspect-');
const { url, skip, note } = providedRedis();

/** The byte offset of a pagefile slot's page: a 4 KiB header, then extents of a 16 KiB table and 1024 pages. */
function pageOffset(slot: number): number {
  return 4096 + Math.floor(slot / 1024) * (16384 + 1024 * 4096) + 16384 + (slot % 1024) * 4096;
}

/** Everything under a Redis prefix, as key → hex value. */
async function redisSnapshot(raw: Redis, prefix: string): Promise<Record<string, string>> {
  const keys = await raw.keys(`{${prefix}:*`);
  const values = await Promise.all(keys.map((key) => raw.getBuffer(key)));
  return Object.fromEntries(keys.map((key, i) => [key, values[i]!.toString('hex')]).sort());
}

/** Runs verify and dump twice each on a damaged store: the same failure every time, the store unchanged. */
async function inspectTwice(storeArgs: string[], snapshot: () => Promise<unknown> | unknown): Promise<void> {
  const before = await snapshot();
  for (let round = 1; round <= 2; round++) {
    const verify = await cli('store', 'verify', ...storeArgs, '--json');
    expect(verify.code, `verify, round ${round}`).toBe(EXIT_CODES.failed);
    expect(JSON.parse(verify.out), `verify, round ${round}`).toMatchObject({ corrupt: 1 });
    const dump = await cli('store', 'dump', ...storeArgs);
    expect(dump.code, `dump, round ${round}`).toBe(EXIT_CODES.failed);
    expect(dump.err).toMatch(/damaged: 1 corrupt record/);
    expect(await snapshot(), `round ${round}: the store changed`).toEqual(before);
  }
}

describe('store verify and dump never change the store they inspect; store repair does, only with --yes', () => {
  it('pagefile: a corrupt slot is reported on every run and the file keeps every byte', async () => {
    const path = tempPath('damaged.pagefile');
    await cli('store', 'stress', '--store', 'pagefile', '--path', path, '--ops', '200', '--gfns', '32');
    const first = await cli('store', 'dump', '--store', 'pagefile', '--path', path, '--json');
    const slot = Number(/^slot (\d+)$/.exec(JSON.parse(first.out.split('\n')[0]!).location)![1]);
    const bytes = readFileSync(path);
    bytes[pageOffset(slot) + 1000]! ^= 0xff;
    writeFileSync(path, bytes);
    await inspectTwice(['--store', 'pagefile', '--path', path], () => readFileSync(path).toString('base64'));
  });

  it('sqlite: a row whose CRC fails is reported on every run and the database keeps every byte', async () => {
    const path = tempPath('damaged.sqlite');
    await cli('store', 'stress', '--store', 'sqlite', '--path', path, '--ops', '200', '--gfns', '32');
    const db = new Database(path);
    db.prepare('UPDATE pagevisor_pages SET crc = crc + 1 WHERE gfn = (SELECT min(gfn) FROM pagevisor_pages)').run();
    db.close();
    await inspectTwice(['--store', 'sqlite', '--path', path], () => readFileSync(path).toString('base64'));
  });

  it.skipIf(skip)(`redis: an altered value is reported on every run and every key keeps its value${note}`, async () => {
    const prefix = `inspect:${process.pid}`;
    const raw = new Redis(url!);
    try {
      await cli('store', 'stress', '--store', 'redis', '--url', url!, '--prefix', prefix, '--ops', '200', '--gfns', '32');
      const [key] = await raw.keys(`{${prefix}:*`);
      const value = (await raw.getBuffer(key!))!;
      value[10]! ^= 0x10;
      await raw.set(key!, value);
      await inspectTwice(['--store', 'redis', '--url', url!, '--prefix', prefix], () => redisSnapshot(raw, prefix));
      const repair = await cli('store', 'repair', '--store', 'redis', '--url', url!, '--prefix', prefix, '--yes');
      expect(repair.code).toBe(0);
      expect(await raw.exists(key!)).toBe(0);
      expect((await cli('store', 'verify', '--store', 'redis', '--url', url!, '--prefix', prefix)).code).toBe(0);
    } finally {
      await raw.quit();
    }
  });

  it('a 0-byte file is not a pagefile: verify says so (exit 2) and writes nothing', async () => {
    const path = tempPath('empty.pagefile');
    writeFileSync(path, '');
    const verify = await cli('store', 'verify', '--store', 'pagefile', '--path', path);
    expect(verify.code).toBe(EXIT_CODES.usage);
    expect(verify.err).toMatch(/is empty, not a pagefile/);
    expect(readFileSync(path)).toHaveLength(0);
  });

  it('dump names what a truncation cut off and exits 1', async () => {
    const path = tempPath('cut.pagefile');
    await cli('store', 'stress', '--store', 'pagefile', '--path', path, '--ops', '100', '--gfns', '32');
    const bytes = readFileSync(path);
    writeFileSync(path, bytes.subarray(0, 4096 + 16384 + 10 * 4096));
    const dump = await cli('store', 'dump', '--store', 'pagefile', '--path', path);
    expect(dump.code).toBe(EXIT_CODES.failed);
    expect(dump.err).toMatch(/1014 slots cut off by truncation/);
  });

  for (const [store, name] of [
    ['pagefile', 'repair.pagefile'],
    ['sqlite', 'repair.sqlite'],
  ] as const) {
    it(`${store}: repair says what it would drop and changes nothing without --yes; with --yes verify passes after`, async () => {
      const path = tempPath(name);
      await cli('store', 'stress', '--store', store, '--path', path, '--ops', '300', '--gfns', '32');
      if (store === 'pagefile') {
        const first = await cli('store', 'dump', '--store', 'pagefile', '--path', path, '--json');
        const slot = Number(/^slot (\d+)$/.exec(JSON.parse(first.out.split('\n')[0]!).location)![1]);
        const bytes = readFileSync(path);
        bytes[pageOffset(slot) + 7]! ^= 0x01;
        writeFileSync(path, bytes);
      } else {
        const db = new Database(path);
        db.prepare('UPDATE pagevisor_pages SET crc = crc + 1 WHERE gfn = (SELECT min(gfn) FROM pagevisor_pages)').run();
        db.close();
      }
      const untouched = readFileSync(path).toString('base64');
      const dry = await cli('store', 'repair', '--store', store, '--path', path);
      expect(dry.code).toBe(EXIT_CODES.failed);
      expect(dry.out).toMatch(/would drop 1 corrupt record .*Nothing was changed; run again with --yes/);
      expect(readFileSync(path).toString('base64')).toBe(untouched);
      const before = JSON.parse((await cli('store', 'verify', '--store', store, '--path', path, '--json')).out);
      const repair = await cli('store', 'repair', '--store', store, '--path', path, '--yes');
      expect(repair.code).toBe(0);
      expect(repair.out).toMatch(new RegExp(`dropped 1 corrupt record .*; ${before.ok} pages intact`));
      const after = await cli('store', 'verify', '--store', store, '--path', path, '--json');
      expect(after.code).toBe(0);
      expect(JSON.parse(after.out)).toMatchObject({ ok: before.ok, corrupt: 0, orphaned: 0 });
    });
  }

  it('repair --yes on a truncated pagefile rewrites its header to what it still holds', async () => {
    const path = tempPath('cut-repair.pagefile');
    await cli('store', 'stress', '--store', 'pagefile', '--path', path, '--ops', '100', '--gfns', '32');
    writeFileSync(path, readFileSync(path).subarray(0, 4096 + 16384 + 10 * 4096));
    const repair = await cli('store', 'repair', '--store', 'pagefile', '--path', path, '--yes');
    expect(repair.code).toBe(0);
    expect(repair.out).toMatch(/1014 slots cut off by truncation/);
    const verify = await cli('store', 'verify', '--store', 'pagefile', '--path', path, '--json');
    expect(verify.code).toBe(0);
    expect(JSON.parse(verify.out)).toMatchObject({ missingSlots: 0, corrupt: 0 });
  });

  it('store stress creates no directory: a missing parent is exit 2', async () => {
    const path = `${tempPath('x')}-missing/dir/stress.pagefile`;
    const stress = await cli('store', 'stress', '--store', 'pagefile', '--path', path, '--ops', '10');
    expect(stress.code).toBe(EXIT_CODES.usage);
    expect(stress.err).toMatch(/directory .*missing\/dir does not exist/);
  });
});
