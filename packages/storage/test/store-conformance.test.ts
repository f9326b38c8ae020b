import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'vitest';
import { storeConformanceCases, type StoreConformanceSubject } from '@pagevisor/testing';
import { MemoryPageStore, PagefileStore, SqliteStore, type FsyncPolicy, type SqliteSync } from '@pagevisor/storage';

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

for (const subject of [memory, pagefile('batch'), pagefile('always'), pagefile('none'), sqlite('batch'), sqlite('always'), sqlite('none')]) {
  describe(`store conformance: ${subject.name}`, () => {
    for (const c of storeConformanceCases(subject)) it(c.name, c.run);
  });
}
