import { describe, expect, inject } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPager, type PagevisorPlugin } from '@pagevisor/core';
import { adaptive, LIVE_POLICIES, policyNamed } from '@pagevisor/policies';
import { compressedStore, memoryStore, pagefileStore, redisStore, sqliteStore } from '@pagevisor/storage';
import type {} from '../../../vitest.redis-setup.js'; // the type of inject('redis')
import { openPagedRegion, type AccessSamplingOptions } from '../src/index.js';
import { regionWorker, shuffled } from './support/region-harness.js';
import { skipReason, uffdIt } from './support/uffd-required.js';

const PAGES = 768;
const TARGET = 192;
let regions = 0;

/**
 * A Worker writes every page of a region held at a quarter, checks them all out of order, writes and
 * checks them again, and the pager stops gracefully: every page must hold what was last written.
 */
async function pageThrough(policy: PagevisorPlugin, store: PagevisorPlugin, sampling?: AccessSamplingOptions): Promise<{ evictions: number; pagedIn: number; accessesSeen: number }> {
  const region = openPagedRegion({ pages: PAGES, target: TARGET, name: `mix${++regions}-${process.pid}`, sampling });
  const pager = createPager({ backend: region.backend, policy, store });
  await pager.start();
  const worker = regionWorker(region.id);
  let stopped = false;
  try {
    for (const round of [1, 2]) {
      expect(await worker.run({ op: 'write', round, order: shuffled(PAGES, round) })).toEqual({ bad: 0, pages: PAGES });
      await pager.settle();
      expect(region.backend.residentPages()).toBeLessThanOrEqual(TARGET);
      expect(await worker.run({ op: 'check', round, order: shuffled(PAGES, round + 10) }), `round ${round}, stats ${JSON.stringify(pager.stats)}`).toEqual({ bad: 0, pages: PAGES });
    }
    await pager.settle();
    const { evictions, pagedIn, accessesSeen } = pager.stats;
    await pager.stop('graceful');
    stopped = true;
    expect(pager.stats.pagesOut).toBe(0);
    expect(await worker.run({ op: 'check', round: 2, order: shuffled(PAGES, 99) }), 'after the graceful stop').toEqual({ bad: 0, pages: PAGES });
    return { evictions, pagedIn, accessesSeen };
  } finally {
    await worker.stop();
    if (!stopped) await pager.stop('hard'); // a run that failed half-way stops its pager before the region closes
    region.close();
  }
}

describe(`every live policy pages a real region with its content intact${skipReason}`, () => {
  for (const name of LIVE_POLICIES) {
    uffdIt(`${name}: ${PAGES} pages held at ${TARGET}, written twice and read back out of order`, async () => {
      const { evictions, pagedIn } = await pageThrough(policyNamed(name), memoryStore());
      expect(evictions).toBeGreaterThanOrEqual(2 * (PAGES - TARGET));
      expect(pagedIn).toBeGreaterThan(0);
    });
    uffdIt(`${name} with access sampling: the same, its pages sampled every few ms while they are touched`, async () => {
      const { evictions, pagedIn } = await pageThrough(policyNamed(name), memoryStore(), { fraction: 1 / 2, intervalMs: 2 });
      expect(evictions).toBeGreaterThanOrEqual(2 * (PAGES - TARGET));
      expect(pagedIn).toBeGreaterThan(0);
    });
  }
});

describe(`a policy whose next victim is gfn 0 (never evicted) finds the others${skipReason}`, () => {
  // adaptive followed lru here with gfn 0 alone in its list of pages lru had dropped: it put gfn 0
  // back in that list and took it out again until it gave up, and the region stayed at TARGET + 1.
  uffdIt(`adaptive with the experts lru and arc: ${PAGES} pages held at ${TARGET}`, async () => {
    const { evictions } = await pageThrough(adaptive({ experts: ['lru', 'arc'] }), memoryStore());
    expect(evictions).toBeGreaterThanOrEqual(2 * (PAGES - TARGET));
  });
});

const redis = inject('redis');
const redisNote = redis.missing ? ` (skipped: ${redis.missing})` : '';
const hasRedis = redis.url !== undefined;

describe(`every store holds a real region's pages${skipReason}`, () => {
  /** A store over a file in a new temporary directory, removed afterwards. */
  const inTempDir = (store: (dir: string) => PagevisorPlugin) => () => {
    const dir = mkdtempSync(join(tmpdir(), 'pagevisor-linux-store-'));
    return { store: store(dir), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
  };
  const cases: Array<[string, () => { store: PagevisorPlugin; cleanup?: () => void }, boolean]> = [
    ['memory', () => ({ store: memoryStore() }), true],
    ['pagefile', inTempDir((dir) => pagefileStore({ path: join(dir, 'region.pagefile') })), true],
    ['sqlite', inTempDir((dir) => sqliteStore({ path: join(dir, 'region.sqlite') })), true],
    ['compressed pagefile', inTempDir((dir) => compressedStore(pagefileStore({ path: join(dir, 'region.pagefile') }))), true],
    [`redis${redisNote}`, () => ({ store: redisStore({ url: redis.url! }) }), hasRedis],
    [`redis cluster${redisNote}`, () => ({ store: redisStore({ cluster: redis.cluster! }) }), hasRedis],
  ];
  for (const [name, make, runs] of cases) {
    uffdIt(`${name}: every page written, evicted, paged in and stopped gracefully reads back intact`, async () => {
      const { store, cleanup } = make();
      try {
        const { evictions, pagedIn } = await pageThrough(policyNamed('clock'), store);
        expect(evictions).toBeGreaterThanOrEqual(2 * (PAGES - TARGET));
        expect(pagedIn).toBeGreaterThan(0);
      } finally {
        cleanup?.();
      }
    }, runs);
  }
});
