import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createPager, isPagevisorError } from '@pagevisor/core';
import { policyNamed, xenpaging } from '@pagevisor/policies';
import { memoryStore } from '@pagevisor/storage';
import { attachRegion, openPagedRegion } from '../src/index.js';
import { skipReason, support, uffdIt } from './support/uffd-required.js';
import { patternWord } from './support/pattern-word.js';
import { regionWorker, shuffled } from './support/region-harness.js';


describe(`a paged region of this process${skipReason}`, () => {
  for (const [name, policy] of [
    ['xenpaging', xenpaging],
    ['clock', () => policyNamed('clock')],
  ] as const) {
    uffdIt(`${name}: a Worker writes 2048 pages held at 512 resident; every page reads back intact, out of order, twice; a graceful stop brings all in`, async () => {
      const region = openPagedRegion({ pages: 2048, target: 512 });
      const pager = createPager({ backend: region.backend, policy: policy(), store: memoryStore() });
      await pager.start();
      const worker = regionWorker(region.id);
      try {
        const order = shuffled(2048, 7);
        expect(await worker.run({ op: 'write', round: 1, order })).toEqual({ bad: 0, pages: 2048 });
        await pager.settle();
        expect(region.backend.residentPages()).toBeLessThanOrEqual(512);
        expect(pager.stats.evictions).toBeGreaterThanOrEqual(2048 - 512);
        expect((await worker.run({ op: 'check', round: 1, order: shuffled(2048, 8) })).bad).toBe(0);
        expect((await worker.run({ op: 'write', round: 2, order: shuffled(2048, 9) })).bad).toBe(0);
        expect((await worker.run({ op: 'check', round: 2, order: shuffled(2048, 10) })).bad).toBe(0);
        await pager.settle();
        expect(region.backend.residentPages()).toBeLessThanOrEqual(512);
        await pager.stop('graceful');
        // Every page is in and the range is plain memory again: this thread may read it now.
        const words = new Uint32Array(region.view());
        let bad = 0;
        for (let p = 0; p < 2048; p++) for (let k = 0; k < 1024; k += 97) bad += words[p * 1024 + k] === patternWord(p, k, 2) ? 0 : 1;
        expect(bad).toBe(0);
      } finally {
        await worker.stop();
        region.close();
      }
    });
  }

  uffdIt('pages never written read as zeros, and no zero page is ever written to the store', async () => {
    const region = openPagedRegion({ pages: 1024, target: 256 });
    const pager = createPager({ backend: region.backend, policy: policyNamed('clock'), store: memoryStore() });
    await pager.start();
    const worker = regionWorker(region.id);
    try {
      expect(await worker.run({ op: 'read-zero', order: shuffled(1024, 3) })).toEqual({ bad: 0, pages: 1024 });
      await pager.settle();
      expect(pager.stats.zeroFills).toBeGreaterThanOrEqual(1024);
      expect(region.backend.residentPages()).toBeLessThanOrEqual(256);
      expect(pager.stats.zeroEvictions).toBeGreaterThanOrEqual(1024 - 256);
      // Read again: the pages evicted as zeros come back as zeros, and still nothing reached the store.
      expect(await worker.run({ op: 'read-zero', order: shuffled(1024, 4) })).toEqual({ bad: 0, pages: 1024 });
      await pager.settle();
      expect(pager.stats.pagedIn).toBe(0);
      expect(pager.stats.storeBytes).toBe(0);
    } finally {
      await pager.stop('hard');
      await worker.stop();
      region.close();
    }
  });

  uffdIt('read-ahead: a sequential scan of pages out takes a fraction of the faults, reads back intact, and random access reads little ahead', async () => {
    const scan = Array.from({ length: 2048 }, (_, i) => i);
    const measure = async (readAhead: { pages: number } | undefined, order: number[]) => {
      const region = openPagedRegion({ pages: 2048, target: 256, readAhead });
      const pager = createPager({ backend: region.backend, policy: policyNamed('fifo'), store: memoryStore() });
      await pager.start();
      const worker = regionWorker(region.id);
      try {
        expect((await worker.run({ op: 'write', round: 1, order: scan })).bad).toBe(0);
        await pager.settle();
        const before = { faults: pager.stats.faults, prefetched: pager.stats.prefetched };
        expect((await worker.run({ op: 'check', round: 1, order })).bad).toBe(0);
        await pager.settle();
        return { faults: pager.stats.faults - before.faults, prefetched: pager.stats.prefetched - before.prefetched };
      } finally {
        await pager.stop('hard');
        await worker.stop();
        region.close();
      }
    };
    const plain = await measure(undefined, scan);
    const ahead = await measure({ pages: 32 }, scan);
    expect(plain.prefetched).toBe(0);
    expect(plain.faults).toBeGreaterThanOrEqual(2048 - 256);
    expect(ahead.prefetched).toBeGreaterThan(0);
    expect(ahead.faults).toBeLessThan(plain.faults / 3);
    const random = await measure({ pages: 32 }, shuffled(2048, 5));
    expect(random.prefetched).toBeLessThan(random.faults / 4);
  });

  it('a read-ahead that is not 1 to 1024 pages, or of an unknown mode, is a typed error', () => {
    for (const readAhead of [{ pages: 0 }, { pages: 1025 }, { pages: 2.5 }, { pages: 8, mode: 'backwards' as 'fixed' }]) {
      let error: unknown;
      try {
        openPagedRegion({ pages: 16, readAhead });
      } catch (e) {
        error = e;
      }
      expect(isPagevisorError(error, 'LINUX_ARGUMENT')).toBe(true);
    }
  });

  uffdIt('dirty tracking: pages only read since they came in are evicted without a write, and a page written after it came in is written again', async () => {
    const region = openPagedRegion({ pages: 1024, target: 256 });
    const pager = createPager({ backend: region.backend, policy: policyNamed('clock'), store: memoryStore() });
    await pager.start();
    const worker = regionWorker(region.id);
    try {
      expect(region.backend.capabilities.dirtyTracking).toBe(true);
      expect(await worker.run({ op: 'write', round: 1, order: shuffled(1024, 1) })).toEqual({ bad: 0, pages: 1024 });
      await pager.settle();
      // The kernel agrees: the region's mapping holds no more than the target.
      expect(region.measuredResidentBytes()).toBeLessThanOrEqual(256 * 4096);
      expect(region.measuredResidentBytes()).toBeGreaterThan(0);
      const written = pager.stats;
      expect(written.cleanEvictions).toBe(0); // every page written since its first touch
      for (const seed of [2, 3]) expect(await worker.run({ op: 'check', round: 1, order: shuffled(1024, seed) })).toEqual({ bad: 0, pages: 1024 });
      await pager.settle();
      const read = pager.stats;
      // Two read-only passes: every eviction was of a page the store still held, but for the first one
      // of each page that was resident, and written, when they began (256 at most).
      const evicted = read.evictions - written.evictions;
      expect(evicted).toBeGreaterThan(1024);
      expect(read.cleanEvictions).toBeGreaterThanOrEqual(evicted - 256);
      // Written after they came in: each such page is written to the store again, and reads back so.
      expect(await worker.run({ op: 'write', round: 2, order: shuffled(1024, 4) })).toEqual({ bad: 0, pages: 1024 });
      await pager.settle();
      // Only the pages resident (and clean) when the writes began can go out clean: 256 at most.
      expect(pager.stats.cleanEvictions - read.cleanEvictions).toBeLessThanOrEqual(256);
      expect(await worker.run({ op: 'check', round: 2, order: shuffled(1024, 5) })).toEqual({ bad: 0, pages: 1024 });
      await pager.stop('graceful');
      expect(await worker.run({ op: 'check', round: 2, order: shuffled(1024, 6) })).toEqual({ bad: 0, pages: 1024 });
    } finally {
      await worker.stop();
      region.close();
    }
  });

  uffdIt('the thread that serves the faults is refused a view of the region (it would wait for itself)', async () => {
    const region = openPagedRegion({ pages: 16 });
    const pager = createPager({ backend: region.backend, policy: policyNamed('clock'), store: memoryStore() });
    expect(region.view().byteLength).toBe(16 * 4096); // before the pager starts, any thread may look
    await pager.start();
    try {
      expect(() => region.view()).toThrow(/serves the region's faults/);
    } finally {
      await pager.stop('graceful');
      region.close();
    }
  });

  uffdIt('a hard stop with pages out discards the region instead of letting them read as zeros', async () => {
    const region = openPagedRegion({ pages: 256, target: 64 });
    const pager = createPager({ backend: region.backend, policy: policyNamed('clock'), store: memoryStore() });
    await pager.start();
    const worker = regionWorker(region.id);
    expect((await worker.run({ op: 'write', round: 1, order: shuffled(256, 1) })).bad).toBe(0);
    await pager.settle();
    await worker.stop();
    const report = await pager.stop('hard');
    expect(report.pagesOut).toBeGreaterThanOrEqual(192);
    expect(region.backend.discarded).toBe(true);
    expect(() => region.view()).toThrow(/cannot view region/);
    region.close();
  });

  const stopWhileFaulting = (how: string) => {
    const script = fileURLToPath(new URL('./support/stop-while-faulting.ts', import.meta.url));
    const tsconfig = fileURLToPath(new URL('../../../tsconfig.base.json', import.meta.url));
    return spawnSync(process.execPath, ['--import', 'tsx', '--conditions=@pagevisor/source', script, how], {
      env: { ...process.env, TSX_TSCONFIG_PATH: tsconfig },
      timeout: 15_000,
      encoding: 'utf8',
    });
  };

  uffdIt('process.exit() while a Worker waits in a fault exits at once with its code, instead of hanging', () => {
    const child = stopWhileFaulting('exit');
    expect(child.error, 'the child hung past its deadline').toBeUndefined();
    expect(child.stderr).toBe('');
    expect(child.status).toBe(7);
  });

  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    uffdIt(`${signal} while a Worker waits in a fault ends the process at once, instead of hanging`, () => {
      const child = stopWhileFaulting(signal);
      expect(child.error, 'the child hung past its deadline').toBeUndefined();
      expect(child.stderr).toBe('');
      expect(child.signal).toBe(signal);
    });
  }

  const signalWhileFaulting = (signal: string, twice = false) => {
    const script = fileURLToPath(new URL('./support/signal-while-faulting.ts', import.meta.url));
    const tsconfig = fileURLToPath(new URL('../../../tsconfig.base.json', import.meta.url));
    return spawnSync(process.execPath, ['--import', 'tsx', '--conditions=@pagevisor/source', script, signal, ...(twice ? ['twice'] : [])], {
      env: { ...process.env, TSX_TSCONFIG_PATH: tsconfig },
      timeout: 20_000,
      killSignal: 'SIGKILL', // the child handles SIGTERM itself: a hung one must still end
      encoding: 'utf8',
    });
  };

  for (const [signal, code] of [
    ['SIGTERM', 143],
    ['SIGINT', 130],
  ] as const) {
    uffdIt(`stopOnSignals: ${signal} while a Worker faults brings every page in, keeps every write, and exits ${code}`, () => {
      const child = signalWhileFaulting(signal);
      expect(child.error, 'the child hung past its deadline').toBeUndefined();
      expect(child.stderr).toBe('');
      expect(child.stdout).toMatch(new RegExp(`^stopped on ${signal} with 0 pages out\\nafter \\d+ rounds, 0 pages hold another round's word\\n$`));
      expect(child.status).toBe(code);
    });
  }

  uffdIt('stopOnSignals: a second signal during the graceful stop exits at once, without hanging on the Worker', () => {
    const child = signalWhileFaulting('SIGTERM', true);
    expect(child.error, 'the child hung past its deadline').toBeUndefined();
    expect(child.stdout).toBe(''); // it never got to the end of the graceful stop
    expect(child.status).toBe(143);
  });

  uffdIt('watchdog: a fault the pager leaves unanswered past the deadline ends in SIGBUS for the thread waiting on it, not a hang', () => {
    const script = fileURLToPath(new URL('./support/pager-stops-answering.ts', import.meta.url));
    const tsconfig = fileURLToPath(new URL('../../../tsconfig.base.json', import.meta.url));
    const started = performance.now();
    const child = spawnSync(process.execPath, ['--import', 'tsx', '--conditions=@pagevisor/source', script], { env: { ...process.env, TSX_TSCONFIG_PATH: tsconfig }, timeout: 20_000, encoding: 'utf8' });
    expect(child.error, 'the child hung past its deadline').toBeUndefined();
    expect(child.stdout).toBe('reads hang from now on\n');
    expect(child.signal).toBe('SIGBUS');
    expect(performance.now() - started).toBeLessThan(15_000);
  });

  uffdIt('watchdog: a deadline that is not a whole number of milliseconds is a typed error', () => {
    expect(() => openPagedRegion({ pages: 4, watchdog: { deadlineMs: 0 } })).toThrow(expect.objectContaining({ code: 'LINUX_ARGUMENT' }));
    expect(() => openPagedRegion({ pages: 4, watchdog: { deadlineMs: 1.5 } })).toThrow(expect.objectContaining({ code: 'LINUX_ARGUMENT' }));
  });

  uffdIt('a pager left running on a closed region never touches the region that reuses its slot', async () => {
    const first = openPagedRegion({ pages: 512, target: 64 });
    const stale = createPager({ backend: first.backend, policy: policyNamed('fifo'), store: memoryStore() });
    await stale.start();
    const staleWorker = regionWorker(first.id);
    await staleWorker.run({ op: 'write', round: 1, order: shuffled(512, 1) });
    await staleWorker.stop();
    first.close(); // its pager is not stopped: a user's mistake, or a test that failed half-way
    const second = openPagedRegion({ pages: 512, target: 64 });
    expect(second.id).not.toBe(first.id);
    expect(() => attachRegion(first.id)).toThrow(expect.objectContaining({ code: 'LINUX_STATE' }));
    const pager = createPager({ backend: second.backend, policy: policyNamed('fifo'), store: memoryStore() });
    await pager.start();
    const worker = regionWorker(second.id);
    try {
      for (const round of [1, 2]) {
        expect(await worker.run({ op: 'write', round, order: shuffled(512, round) })).toEqual({ bad: 0, pages: 512 });
        first.backend.setTarget(1); // the stale pager is asked to evict, and must not reach the new region
        await pager.settle();
        expect(await worker.run({ op: 'check', round, order: shuffled(512, round + 5) })).toEqual({ bad: 0, pages: 512 });
      }
    } finally {
      await worker.stop();
      await pager.stop('hard');
      await stale.stop('hard').catch(() => undefined);
      second.close();
    }
  });

  uffdIt('a view of a region that is not open is a typed error, not a crash', () => {
    const region = openPagedRegion({ pages: 4 });
    const id = region.id;
    region.close();
    expect(() => attachRegion(id)).toThrow(expect.objectContaining({ code: 'LINUX_STATE' }));
    expect(() => attachRegion(-1)).toThrow(expect.objectContaining({ code: 'LINUX_STATE' }));
    expect(() => region.view()).toThrow(expect.objectContaining({ code: 'LINUX_STATE' }));
  });

  it('bad sizes, targets and names are typed errors, before anything is mapped', () => {
    for (const options of [{ pages: 0 }, { pages: 1.5 }, { pages: 2 ** 29 }, { pages: 4, target: -1 }, { pages: 4, name: 'a/b' }]) {
      let error: unknown;
      try {
        openPagedRegion(options);
      } catch (e) {
        error = e;
      }
      expect(isPagevisorError(error, 'LINUX_ARGUMENT') || (!support.available && isPagevisorError(error))).toBe(true);
    }
  });
});
