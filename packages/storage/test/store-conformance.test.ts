import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'vitest';
import { storeConformanceCases, type StoreConformanceSubject } from '@pagevisor/testing';
import { MemoryPageStore, PagefileStore, type FsyncPolicy } from '@pagevisor/storage';

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

for (const subject of [memory, pagefile('batch'), pagefile('always'), pagefile('none')]) {
  describe(`store conformance: ${subject.name}`, () => {
    for (const c of storeConformanceCases(subject)) it(c.name, c.run);
  });
}
