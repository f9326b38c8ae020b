/**
 * Benchmark: the page stores. Writes `bench-results/storage.json`. Each figure is the median of 5
 * samples, each sample on a new store:
 *
 * - pages/s written (writeBatch, then flush: acknowledged) and read (readBatch), per store, at batch
 *   sizes 1, 64 and 512;
 * - the pagefile against `dd` writing the same bytes in the same run, samples alternating, with the same sync policy
 *   (`batch`: a flush per batch ↔ `dd oflag=dsync` with one block per batch; `none` ↔ plain `dd`);
 * - the compression store: ratio and MB/s on zero pages and on text-like pages, deflate and brotli.
 *
 * Redis figures need redis-server (Debian's package): the script starts a throwaway server; without
 * one they are reported as skipped.
 *
 * Run: `pnpm bench` (all packages) or `pnpm --filter @pagevisor/storage bench`.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { STORE_PAGE_BYTES, type PageStore } from '@pagevisor/core';
import { CompressedStore, MemoryPageStore, PagefileStore, RedisStore, SqliteStore, type CompressionCodec, type FsyncPolicy } from '@pagevisor/storage';
import { fillPageContent, fillTextPage, findRedisServer, startRedisServer } from '@pagevisor/testing';
import { median, writeBenchResults } from '../../../bench/bench-results.js';

const SAMPLES = 5;
const BATCHES = [1, 64, 512] as const;
const MAX_PAGES = 1 << 20;
const dir = mkdtempSync(join(tmpdir(), 'pagevisor-storage-bench-'));

/** Pages per sample: fewer at batch 1, where durable stores sync every page. */
function pagesPerSample(batch: number): number {
  return batch === 1 ? 256 : 8192;
}

function contentPages(count: number): Uint8Array {
  const pages = new Uint8Array(count * STORE_PAGE_BYTES);
  for (let i = 0; i < count; i++) fillPageContent(pages.subarray(i * STORE_PAGE_BYTES, (i + 1) * STORE_PAGE_BYTES), 1, i, 1);
  return pages;
}

/** Median pages/s of writing (with a flush per batch) and reading `count` pages, each sample on a new store. */
async function measureStore(open: () => Promise<PageStore>, batch: number): Promise<{ writePagesPerSecond: number; readPagesPerSecond: number }> {
  const count = pagesPerSample(batch);
  const pages = contentPages(batch);
  const into = new Uint8Array(batch * STORE_PAGE_BYTES);
  const gfns = new Uint32Array(batch);
  const writes: number[] = [];
  const reads: number[] = [];
  for (let sample = 0; sample < SAMPLES; sample++) {
    const store = await open();
    let started = performance.now();
    for (let done = 0; done < count; done += batch) {
      for (let i = 0; i < batch; i++) gfns[i] = done + i;
      await store.writeBatch(gfns, pages, batch);
      await store.flush();
    }
    writes.push(count / ((performance.now() - started) / 1000));
    started = performance.now();
    for (let done = 0; done < count; done += batch) {
      for (let i = 0; i < batch; i++) gfns[i] = done + i;
      await store.readBatch(gfns, batch, into);
    }
    reads.push(count / ((performance.now() - started) / 1000));
    await store.close();
  }
  return { writePagesPerSecond: Math.round(median(writes)), readPagesPerSecond: Math.round(median(reads)) };
}

/** Pages/s of one `dd` run writing `count` pages from `source`, one block per batch, synced per block or not. */
function ddSample(source: string, count: number, batch: number, sync: FsyncPolicy): number {
  const target = join(dir, `dd-target-${batch}`);
  const args = [`if=${source}`, `of=${target}`, `bs=${batch * STORE_PAGE_BYTES}`, `count=${count / batch}`, 'status=none', ...(sync === 'none' ? [] : ['oflag=dsync'])];
  const started = performance.now();
  const result = spawnSync('dd', args);
  const seconds = (performance.now() - started) / 1000;
  if (result.status !== 0) throw new Error(`dd failed: ${result.stderr.toString()}`);
  rmSync(target);
  return count / seconds;
}

/** Pages/s of writing `count` pages to a new pagefile, one batch and one flush at a time. */
async function pagefileSample(count: number, batch: number, fsync: FsyncPolicy): Promise<number> {
  const path = join(dir, `versus-dd-${batch}.pagefile`);
  const store = await PagefileStore.open({ path, fsync }, MAX_PAGES);
  const pages = contentPages(batch);
  const gfns = new Uint32Array(batch);
  const started = performance.now();
  for (let done = 0; done < count; done += batch) {
    for (let i = 0; i < batch; i++) gfns[i] = done + i;
    await store.writeBatch(gfns, pages, batch);
    await store.flush();
  }
  const rate = count / ((performance.now() - started) / 1000);
  await store.close();
  rmSync(path);
  return rate;
}

async function storeFigures(): Promise<Record<string, unknown>> {
  const redis = findRedisServer() ? await startRedisServer() : undefined;
  const stores: Array<[string, () => Promise<PageStore>]> = [
    ['memory', async () => new MemoryPageStore(MAX_PAGES)],
    ['pagefile (fsync batch)', () => PagefileStore.open({ path: join(dir, `b-${Math.random()}.pagefile`), fsync: 'batch' }, MAX_PAGES)],
    ['pagefile (fsync none)', () => PagefileStore.open({ path: join(dir, `n-${Math.random()}.pagefile`), fsync: 'none' }, MAX_PAGES)],
    ['sqlite (sync batch)', () => SqliteStore.open({ path: join(dir, `s-${Math.random()}.sqlite`) }, MAX_PAGES)],
  ];
  if (redis) stores.push(['redis (one server, loopback)', () => RedisStore.open({ url: redis.url, prefix: `bench:${Math.random()}` }, MAX_PAGES)]);
  const figures: Record<string, unknown> = {};
  try {
    for (const [name, open] of stores) {
      const byBatch: Record<string, unknown> = {};
      for (const batch of BATCHES) {
        byBatch[`batch ${batch}`] = await measureStore(open, batch);
        console.log(`${name}, batch ${batch}: ${JSON.stringify(byBatch[`batch ${batch}`])}`);
      }
      figures[name] = byBatch;
    }
    if (!redis) figures['redis'] = 'skipped: redis-server is not installed (apt-get install redis-server)';
  } finally {
    await redis?.stop();
  }
  return figures;
}

/**
 * The pagefile against dd on the same bytes: samples alternate between the two, so both see the same
 * state of a shared disk, and each figure is the median of its samples.
 */
async function ddComparison(): Promise<Record<string, unknown>> {
  const comparison: Record<string, unknown> = {};
  for (const sync of ['batch', 'none'] as const) {
    for (const batch of BATCHES) {
      const count = pagesPerSample(batch);
      const source = join(dir, `dd-source-${batch}`);
      writeFileSync(source, contentPages(count));
      const dd: number[] = [];
      const pagefile: number[] = [];
      for (let sample = 0; sample < SAMPLES; sample++) {
        dd.push(ddSample(source, count, batch, sync));
        pagefile.push(await pagefileSample(count, batch, sync));
      }
      const ddRate = Math.round(median(dd));
      const pagefileRate = Math.round(median(pagefile));
      comparison[`fsync ${sync}, batch ${batch}`] = { ddPagesPerSecond: ddRate, pagefilePagesPerSecond: pagefileRate, pagefileOverDd: +(pagefileRate / ddRate).toFixed(3) };
      console.log(`dd vs pagefile, fsync ${sync}, batch ${batch}: ${JSON.stringify(comparison[`fsync ${sync}, batch ${batch}`])}`);
    }
  }
  return comparison;
}

async function compressionFigures(): Promise<Record<string, unknown>> {
  const count = 4096;
  const kinds: Array<[string, (out: Uint8Array, i: number) => void]> = [
    ['zero pages', (out) => out.fill(0)],
    ['text-like pages', (out, i) => fillTextPage(out, i)],
  ];
  const figures: Record<string, unknown> = {};
  for (const codec of ['deflate', 'brotli'] as CompressionCodec[]) {
    for (const [kind, fill] of kinds) {
      const pages = new Uint8Array(count * STORE_PAGE_BYTES);
      for (let i = 0; i < count; i++) fill(pages.subarray(i * STORE_PAGE_BYTES, (i + 1) * STORE_PAGE_BYTES), i);
      const gfns = Uint32Array.from({ length: count }, (_, i) => i);
      const into = new Uint8Array(count * STORE_PAGE_BYTES);
      const writeRates: number[] = [];
      const readRates: number[] = [];
      let ratio = 0;
      for (let sample = 0; sample < SAMPLES; sample++) {
        const store = new CompressedStore(new MemoryPageStore(count), { codec });
        let started = performance.now();
        for (let at = 0; at < count; at += 64) await store.writeBatch(gfns.subarray(at), pages.subarray(at * STORE_PAGE_BYTES), 64);
        writeRates.push((count * STORE_PAGE_BYTES) / 1e6 / ((performance.now() - started) / 1000));
        started = performance.now();
        for (let at = 0; at < count; at += 64) await store.readBatch(gfns.subarray(at), 64, into.subarray(at * STORE_PAGE_BYTES));
        readRates.push((count * STORE_PAGE_BYTES) / 1e6 / ((performance.now() - started) / 1000));
        const { bytesIn, bytesOut } = store.compression();
        ratio = bytesIn / bytesOut;
        if (!Buffer.from(into).equals(Buffer.from(pages))) throw new Error(`${codec} on ${kind}: pages did not read back`);
      }
      figures[`${codec} level 1, ${kind}`] = { ratio: +ratio.toFixed(2), compressMBps: Math.round(median(writeRates)), decompressMBps: Math.round(median(readRates)) };
      console.log(`${codec}, ${kind}: ${JSON.stringify(figures[`${codec} level 1, ${kind}`])}`);
    }
  }
  return figures;
}

try {
  const stores = await storeFigures();
  const dd = await ddComparison();
  const compression = await compressionFigures();
  const out = writeBenchResults('storage', {
    method: `median of ${SAMPLES} samples; writes are acknowledged (writeBatch then flush per batch); ${pagesPerSample(1)} pages per sample at batch 1, ${pagesPerSample(64)} otherwise; dd: same bytes, bs = one batch, oflag=dsync for fsync batch; compression: 4096 pages through a CompressedStore over a MemoryPageStore, batches of 64`,
    pagesPerSecond: stores,
    pagefileVersusDd: dd,
    compression,
  });
  console.log(`wrote ${out}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
