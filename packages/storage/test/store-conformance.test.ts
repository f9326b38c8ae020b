import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'vitest';
import { storeConformanceCases, type StoreConformanceSubject } from '@pagevisor/testing';
import { providedRedis } from './support/redis.js';
import { CompressedStore, MAX_SHORT_RECORD, MemoryPageStore, PagefileStore, RedisStore, SqliteStore, type FsyncPolicy, type SqliteSync } from '@pagevisor/storage';

function tempDir(): { dir: string; cleanup: () => Promise<void> } {
  const dir = mkdtempSync(join(tmpdir(), 'store-conformance-'));
  return { dir, cleanup: async () => rmSync(dir, { recursive: true, force: true }) };
}

const memory: StoreConformanceSubject = { name: 'memory', create: async (maxPages) => ({ store: new MemoryPageStore(maxPages) }) };

function pagefile(fsync: FsyncPolicy): StoreConformanceSubject {
  return {
    name: `pagefile (fsync ${fsync})`,
    async create(maxPages) {
      const { dir, cleanup } = tempDir();
      const path = join(dir, 'guest.pagefile');
      return { store: await PagefileStore.open({ path, fsync }, maxPages), reopen: () => PagefileStore.open({ path, fsync }, maxPages), cleanup };
    },
  };
}

function sqlite(sync: SqliteSync): StoreConformanceSubject {
  return {
    name: `sqlite (sync ${sync})`,
    async create(maxPages) {
      const { dir, cleanup } = tempDir();
      const path = join(dir, 'guest.sqlite');
      return { store: await SqliteStore.open({ path, sync }, maxPages), reopen: () => SqliteStore.open({ path, sync }, maxPages), cleanup };
    },
  };
}

let prefixes = 0;
function redis(where: 'server' | 'cluster'): StoreConformanceSubject {
  return {
    name: `redis (${where})`,
    async create(maxPages) {
      const { url, cluster } = providedRedis();
      const options = where === 'server' ? { url } : { cluster };
      const prefix = `conformance:${process.pid}:${prefixes++}`;
      return { store: await RedisStore.open({ ...options, prefix }, maxPages), reopen: () => RedisStore.open({ ...options, prefix }, maxPages) };
    },
  };
}

const compressedMemory: StoreConformanceSubject = {
  name: 'compressed memory (brotli)',
  create: async (maxPages) => ({ store: new CompressedStore(new MemoryPageStore(maxPages), { codec: 'brotli' }) }),
  maxShortRecord: MAX_SHORT_RECORD,
};
const compressedSqlite: StoreConformanceSubject = {
  name: 'compressed sqlite (deflate)',
  maxShortRecord: MAX_SHORT_RECORD,
  async create(maxPages) {
    const { dir, cleanup } = tempDir();
    const path = join(dir, 'guest.sqlite');
    const open = async () => new CompressedStore(await SqliteStore.open({ path }, maxPages));
    return { store: await open(), reopen: open, cleanup };
  },
};

for (const subject of [memory, compressedMemory, compressedSqlite, pagefile('batch'), pagefile('always'), pagefile('none'), sqlite('batch'), sqlite('always'), sqlite('none')]) {
  describe(`store conformance: ${subject.name}`, () => {
    for (const c of storeConformanceCases(subject)) it(c.name, c.run);
  });
}

const { skip, note } = providedRedis();
for (const subject of [redis('server'), redis('cluster')]) {
  describe(`store conformance: ${subject.name}${note}`, () => {
    for (const c of storeConformanceCases(subject)) it.skipIf(skip)(c.name, c.run);
  });
}
