import { readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { EXIT_CODES } from '@pagevisor/cli';
import { cli } from './support/cli.js';
import { tempFiles } from './support/temp-files.js';

const tempPath = tempFiles('pv-store-cli-');

describe('pagevisor store stress | dump | verify', () => {
  for (const [store, name] of [
    ['pagefile', 'stress.pagefile'],
    ['sqlite', 'stress.sqlite'],
  ] as const) {
    it(`stresses a ${store} store, acks every operation, and the dump and verify agree`, async () => {
      const path = tempPath(name);
      const stress = await cli('store', 'stress', '--store', store, '--path', path, '--ops', '500', '--gfns', '64', '--batch', '50', '--seed', '3');
      expect(stress.code).toBe(EXIT_CODES.ok);
      const lines = stress.out.trim().split('\n');
      expect(lines.filter((line) => /^ack (put \d+ \d+|del \d+)$/.test(line))).toHaveLength(500);
      expect(JSON.parse(lines.at(-1)!)).toMatchObject({ store, ops: 500, flushes: 10 });
      const dump = await cli('store', 'dump', '--store', store, '--path', path, '--json');
      expect(dump.code).toBe(0);
      const records = dump.out.trim().split('\n').map((line) => JSON.parse(line));
      expect(records.length).toBeGreaterThan(20);
      for (const record of records) {
        expect(record).toMatchObject({ ok: true, current: true });
        expect(record.head).toMatch(new RegExp(`^pagevisor-stress gfn=${record.gfn} version=\\d+$`));
      }
      const verify = await cli('store', 'verify', '--store', store, '--path', path, '--json');
      expect(JSON.parse(verify.out)).toEqual({ ok: records.length, corrupt: 0, orphaned: 0, ...(store === 'pagefile' ? { missingSlots: 0 } : {}) });
      expect(verify.code).toBe(0);
    });
  }

  it('names a damaged page in the dump, and verify fails on it', async () => {
    const path = tempPath('damaged.pagefile');
    await cli('store', 'stress', '--store', 'pagefile', '--path', path, '--ops', '200', '--gfns', '32');
    const before = await cli('store', 'dump', '--store', 'pagefile', '--path', path, '--json');
    const slot = Number(/^slot (\d+)$/.exec(JSON.parse(before.out.split('\n')[0]!).location)![1]);
    const bytes = readFileSync(path);
    // header (4 KiB), then extents of a 16 KiB slot table and 1024 slots of 4 KiB
    const pageAt = 4096 + Math.floor(slot / 1024) * (16384 + 1024 * 4096) + 16384 + (slot % 1024) * 4096;
    bytes[pageAt + 1000]! ^= 0xff;
    writeFileSync(path, bytes);
    const dump = await cli('store', 'dump', '--store', 'pagefile', '--path', path, '--json');
    const bad = dump.out.trim().split('\n').map((line) => JSON.parse(line)).filter((record) => !record.ok);
    expect(bad).toHaveLength(1);
    expect(bad[0].location).toMatch(/^slot \d+$/);
    const verify = await cli('store', 'verify', '--store', 'pagefile', '--path', path);
    expect(verify.code).toBe(EXIT_CODES.failed);
    expect(verify.out).toMatch(/corrupt 1,/);
  });

  it('refuses bad usage with one line and exit code 2', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['store', 'stress', '--path', 'x'], /--store is required/],
      [['store', 'stress', '--store', 'tape', '--path', 'x'], /no store "tape"/],
      [['store', 'stress', '--store', 'pagefile'], /--store pagefile needs --path/],
      [['store', 'dump', '--store', 'memory'], /keeps nothing to open or check/],
      [['store', 'verify', '--store', 'pagefile', '--path', '/nonexistent/x.pagefile'], /no such file/],
      [['store', 'stress', '--store', 'redis', '--url', 'http://x'], /expected redis:\/\/host:port/],
      [['store', 'stress', '--store', 'pagefile', '--path', 'x', '--url', 'redis://a:1'], /--url and --prefix go with --store redis/],
      [['store', 'stress', '--store', 'pagefile', '--path', 'x', '--ops', '5x'], /--ops "5x": expected a whole number/],
    ];
    for (const [argv, message] of cases) {
      const { code, err } = await cli(...argv);
      expect(code, argv.join(' ')).toBe(EXIT_CODES.usage);
      expect(err).toMatch(message);
      expect(err.trim().split('\n')).toHaveLength(1);
    }
  });

  it('fails verify on a truncated pagefile, counting the slots cut off', async () => {
    const path = tempPath('cut.pagefile');
    await cli('store', 'stress', '--store', 'pagefile', '--path', path, '--ops', '100', '--gfns', '32');
    truncateSync(path, 4096 + 16384 + 10 * 4096);
    const verify = await cli('store', 'verify', '--store', 'pagefile', '--path', path, '--json');
    expect(verify.code).toBe(EXIT_CODES.failed);
    expect(JSON.parse(verify.out)).toMatchObject({ missingSlots: 1014 });
  });

  it('refuses a file that is not a pagefile, with exit code 2', async () => {
    const path = tempPath('not.pagefile');
    writeFileSync(path, 'hello');
    const { code, err } = await cli('store', 'verify', '--store', 'pagefile', '--path', path);
    expect(code).toBe(EXIT_CODES.usage);
    expect(err).toMatch(/is not a Pagevisor pagefile/);
  });
});
