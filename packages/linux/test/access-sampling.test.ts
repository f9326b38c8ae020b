import { describe, expect, it } from 'vitest';
import { setTimeout as sleep } from 'node:timers/promises';
import { createPager, isPagevisorError } from '@pagevisor/core';
import { policyNamed } from '@pagevisor/policies';
import { memoryStore } from '@pagevisor/storage';
import { checkAccessSampling, openPagedRegion } from '../src/index.js';
import { regionWorker, shuffled } from './support/region-harness.js';
import { skipReason, uffdIt } from './support/uffd-required.js';

describe(`access sampling through minor faults${skipReason}`, () => {
  it('a sampling fraction that is not in (0, 1], or an interval that is not 1 to 60000 ms, is a typed error', () => {
    for (const sampling of [{ fraction: 0 }, { fraction: 1.5 }, { fraction: Number.NaN }, { intervalMs: 0 }, { intervalMs: 2.5 }, { intervalMs: 60_001 }]) {
      let error: unknown;
      try {
        openPagedRegion({ pages: 16, sampling });
      } catch (e) {
        error = e;
      }
      expect(isPagevisorError(error, 'LINUX_ARGUMENT'), JSON.stringify(sampling)).toBe(true);
      expect(() => checkAccessSampling(sampling), JSON.stringify(sampling)).toThrow(expect.objectContaining({ code: 'LINUX_ARGUMENT' }));
    }
  });

  it('checkAccessSampling fills in the defaults the region uses: 1/16 of the pages every 20 ms', () => {
    expect(checkAccessSampling({})).toEqual({ fraction: 1 / 16, intervalMs: 20 });
    expect(checkAccessSampling({ fraction: 1, intervalMs: 60_000 })).toEqual({ fraction: 1, intervalMs: 60_000 });
  });

  uffdIt('a region without sampling reports no accesses, and a hard close of a sampled one with pages out frees its memfd', async () => {
    const plain = openPagedRegion({ pages: 16 });
    expect(plain.backend.capabilities.accesses).toBe('none');
    expect(plain.backend.drainAccesses(new Uint32Array(8))).toBe(0);
    plain.close();
    const region = openPagedRegion({ pages: 64, target: 8, sampling: {} });
    const pager = createPager({ backend: region.backend, policy: policyNamed('clock'), store: memoryStore() });
    await pager.start();
    const worker = regionWorker(region.id);
    try {
      expect(await worker.run({ op: 'write', round: 1, order: shuffled(64, 1) })).toEqual({ bad: 0, pages: 64 });
      await pager.settle();
      expect(region.measuredResidentBytes()).toBeLessThanOrEqual(8 * 4096);
      expect((await pager.stop('hard')).pagesOut).toBeGreaterThan(0);
    } finally {
      await worker.stop();
      region.close();
    }
    expect(region.backend.discarded).toBe(true);
    expect(() => region.measuredResidentBytes()).toThrow(/closed/);
  });

  uffdIt('a page sampled while clean, read, then written, is written to the store again: no write escapes dirty tracking', async () => {
    const pages = 256;
    const region = openPagedRegion({ pages, target: pages, sampling: { fraction: 1, intervalMs: 1 } });
    const pager = createPager({ backend: region.backend, policy: policyNamed('clock'), store: memoryStore() });
    await pager.start();
    const worker = regionWorker(region.id);
    const cycle = async () => {
      region.backend.setTarget(1); // (0 would mean all of them)
      await pager.settle();
      expect(region.backend.residentPages()).toBe(1);
      expect(region.measuredResidentBytes()).toBe(4096); // the memfd was punched, not only unmapped
      region.backend.setTarget(pages);
      await pager.settle();
      expect(region.backend.residentPages()).toBe(pages);
    };
    try {
      expect(region.backend.capabilities.accesses).toBe('sampled');
      expect(await worker.run({ op: 'write', round: 1, order: shuffled(pages, 1) })).toEqual({ bad: 0, pages });
      await pager.settle();
      await cycle(); // every page back in clean, write-protected
      await sleep(30); // the hand passes every page: each is soft-evicted
      expect(region.backend.pagesSampled).toBeGreaterThanOrEqual(pages);
      expect(await worker.run({ op: 'check', round: 1, order: shuffled(pages, 2) })).toEqual({ bad: 0, pages });
      await pager.settle();
      expect(pager.stats.accessesSeen).toBeGreaterThan(0);
      await sleep(30); // sampled again, after the reads mapped them
      expect(await worker.run({ op: 'write', round: 2, order: shuffled(pages, 3) })).toEqual({ bad: 0, pages });
      const before = pager.stats;
      await cycle();
      // Every page was written since it came in: none may go out as clean.
      expect(pager.stats.cleanEvictions - before.cleanEvictions).toBe(0);
      expect(await worker.run({ op: 'check', round: 2, order: shuffled(pages, 4) })).toEqual({ bad: 0, pages });
      await pager.stop('graceful');
      expect(await worker.run({ op: 'check', round: 2, order: shuffled(pages, 5) })).toEqual({ bad: 0, pages });
    } finally {
      await worker.stop();
      region.close();
    }
  });
});
