import { isPagevisorError, STORE_PAGE_BYTES, type PageStore, type StoreErrorCode } from '@pagevisor/core';
import { fillPageContent } from '../sim/page-content.js';
import { ConformanceFailure, runConformance, type ConformanceCase, type ConformanceResult } from './conformance-case.js';

/**
 * A store under test, freshly opened over its own, empty storage.
 *
 * @example
 * ```ts
 * const underTest: StoreUnderTest = { store: await open(), reopen: open, cleanup: async () => rmSync(dir, { recursive: true }) };
 * ```
 */
export interface StoreUnderTest {
  /** The store. */
  readonly store: PageStore;
  /**
   * Closes nothing, opens the same storage again and returns the new store (required when
   * `store.durable`; the suite closes the old store first).
   */
  readonly reopen?: () => Promise<PageStore>;
  /** Removes the storage (files, keys) once the case is over. */
  readonly cleanup?: () => Promise<void>;
}

/**
 * How the suite gets stores.
 *
 * @example
 * ```ts
 * const subject: StoreConformanceSubject = { name: 'mine', create: async (maxPages) => ({ store: new MyStore(maxPages) }) };
 * ```
 */
export interface StoreConformanceSubject {
  /** Names the store in case names (`pagefile`, `my-s3-store`). */
  readonly name: string;
  /** Opens a new store for gfns `[0, maxPages)` over fresh, empty storage. */
  create(maxPages: number): Promise<StoreUnderTest>;
  /**
   * The longest record shorter than a page the store keeps, if it is less than 4095, and it refuses
   * longer ones below 4096 with `STORE_ARGUMENT` (a compressing store must: a tag byte has to fit
   * beside a record that does not compress). Default 4095.
   */
  readonly maxShortRecord?: number;
}

const MAX_PAGES = 4096;

/**
 * The page store conformance suite: every behaviour of the {@link @pagevisor/core!PageStore | PageStore}
 * contract, as cases a test runner can run one by one (round trip, overwrite, delete, batches of
 * several sizes, record lengths, missing gfns, bad arguments, concurrent batches, counters, close,
 * and, for durable stores, close/reopen persistence).
 *
 * @remarks
 * The suite depends on no test framework: each case's `run` resolves, or rejects with a
 * {@link ConformanceFailure} saying what the store did wrong. Every case opens its own store through
 * `subject.create` and closes it.
 *
 * @example
 * ```ts
 * import { describe, it } from 'vitest';
 * import { storeConformanceCases } from '@pagevisor/testing';
 *
 * describe('my store', () => {
 *   for (const c of storeConformanceCases({ name: 'mine', create: async (n) => ({ store: new MyStore(n) }) })) {
 *     it(c.name, c.run);
 *   }
 * });
 * ```
 */
export function storeConformanceCases(subject: StoreConformanceSubject): ConformanceCase[] {
  const cases: Array<[string, (t: StoreUnderTest) => Promise<void>]> = [
    ['round-trips whole pages', roundTrip],
    ['overwrites a gfn written before', overwrite],
    ['deletes, ignoring gfns it does not hold', deletes],
    ['writes and reads batches of 1, 64 and 512 pages, in any order', batches],
    ['keeps record lengths from 0 to 4096 and zero-fills the rest of the slot', (t) => recordLengths(t, subject.maxShortRecord ?? STORE_PAGE_BYTES - 1)],
    ['names a missing gfn in a STORE_MISSING error', missingGfn],
    ['refuses a gfn beyond its range and a record longer than a page, and keeps working', badArguments],
    ['applies concurrent batches in call order', concurrentBatches],
    ['counts pages, writes, reads and deletes', counters],
    ['refuses calls after close, and closing twice is harmless', closing],
    ['finds every flushed page after close and reopen (durable stores)', persistence],
  ];
  return cases.map(([name, body]) => ({
    name: `${subject.name}: ${name}`,
    async run() {
      const subjectStore = await subject.create(MAX_PAGES);
      try {
        await body(subjectStore);
      } finally {
        await subjectStore.store.close().catch(() => undefined);
        await subjectStore.cleanup?.();
      }
    },
  }));
}

/**
 * Runs every store case and returns each outcome (for use outside a test runner).
 *
 * @example
 * ```ts
 * const failed = (await runStoreConformance(subject)).filter((r) => r.error);
 * ```
 */
export function runStoreConformance(subject: StoreConformanceSubject): Promise<ConformanceResult[]> {
  return runConformance(storeConformanceCases(subject));
}

/** `count` pages of generated content, page `i` for `(gfns[i], version)`. */
function pagesFor(gfns: ArrayLike<number>, version: number): Uint8Array {
  const pages = new Uint8Array(gfns.length * STORE_PAGE_BYTES);
  for (let i = 0; i < gfns.length; i++) fillPageContent(pages.subarray(i * STORE_PAGE_BYTES, (i + 1) * STORE_PAGE_BYTES), 0x5703e, gfns[i]!, version);
  return pages;
}

async function expectPages(store: PageStore, gfns: ArrayLike<number>, versions: ArrayLike<number>, what: string): Promise<void> {
  const list = Uint32Array.from(gfns);
  const got = new Uint8Array(list.length * STORE_PAGE_BYTES);
  await store.readBatch(list, list.length, got);
  const want = new Uint8Array(STORE_PAGE_BYTES);
  for (let i = 0; i < list.length; i++) {
    fillPageContent(want, 0x5703e, list[i]!, versions[i]!);
    const page = got.subarray(i * STORE_PAGE_BYTES, (i + 1) * STORE_PAGE_BYTES);
    if (!Buffer.from(page.buffer, page.byteOffset, page.length).equals(want)) {
      throw new ConformanceFailure(`${what}: gfn ${list[i]} does not read back as version ${versions[i]} of its page`);
    }
  }
}

async function expectError(operation: Promise<unknown>, code: StoreErrorCode, what: string, gfn?: number): Promise<void> {
  try {
    await operation;
  } catch (error) {
    if (!isPagevisorError(error, code)) throw new ConformanceFailure(`${what}: expected a ${code} StoreError, got ${String(error)}`);
    if (gfn !== undefined && (error as { gfn?: number }).gfn !== gfn) {
      throw new ConformanceFailure(`${what}: the ${code} error names gfn ${(error as { gfn?: number }).gfn}, not ${gfn}`);
    }
    return;
  }
  throw new ConformanceFailure(`${what}: expected a ${code} StoreError, but the call succeeded`);
}

function expectEqual(actual: unknown, expected: unknown, what: string): void {
  if (actual !== expected) throw new ConformanceFailure(`${what}: expected ${String(expected)}, got ${String(actual)}`);
}

async function roundTrip({ store }: StoreUnderTest): Promise<void> {
  const gfns = Uint32Array.of(0, 7, MAX_PAGES - 1);
  await store.writeBatch(gfns, pagesFor(gfns, 1), 3);
  await expectPages(store, gfns, [1, 1, 1], 'after writeBatch');
  await store.flush();
  await expectPages(store, gfns, [1, 1, 1], 'after flush');
}

async function overwrite({ store }: StoreUnderTest): Promise<void> {
  const gfns = Uint32Array.of(42);
  await store.writeBatch(gfns, pagesFor(gfns, 1), 1);
  await store.flush();
  await store.writeBatch(gfns, pagesFor(gfns, 2), 1);
  await expectPages(store, gfns, [2], 'after an overwrite');
  expectEqual(store.stats().pages, 1, 'pages held after an overwrite');
  // The same gfn twice in one batch: the later record wins.
  const twice = Uint32Array.of(42, 42);
  const pages = pagesFor(twice, 3);
  pages.set(pagesFor(gfns, 4), STORE_PAGE_BYTES);
  await store.writeBatch(twice, pages, 2);
  await expectPages(store, gfns, [4], 'after a batch writing one gfn twice');
}

async function deletes({ store }: StoreUnderTest): Promise<void> {
  const gfns = Uint32Array.of(3, 4, 5);
  await store.writeBatch(gfns, pagesFor(gfns, 1), 3);
  await store.deleteBatch(Uint32Array.of(4, 1000, 4), 3);
  await expectError(store.readBatch(Uint32Array.of(4), 1, new Uint8Array(STORE_PAGE_BYTES)), 'STORE_MISSING', 'reading a deleted gfn', 4);
  await expectPages(store, [3, 5], [1, 1], 'the gfns not deleted');
  expectEqual(store.stats().pages, 2, 'pages held after deleting one of three');
  await store.flush();
  await store.writeBatch(Uint32Array.of(4), pagesFor([4], 2), 1);
  await expectPages(store, [4], [2], 'a deleted gfn written again');
}

async function batches({ store }: StoreUnderTest): Promise<void> {
  let next = 0;
  for (const size of [1, 64, 512]) {
    const gfns = Uint32Array.from({ length: size }, () => (next++ * 7) % MAX_PAGES);
    await store.writeBatch(gfns, pagesFor(gfns, size), size);
  }
  await store.flush();
  const all = Array.from({ length: next }, (_, i) => (i * 7) % MAX_PAGES);
  const versions = all.map((_, i) => (i < 1 ? 1 : i < 65 ? 64 : 512));
  const order = all.map((_, i) => i).reverse();
  await expectPages(store, order.map((i) => all[i]!), order.map((i) => versions[i]!), 'a batch of 577 pages read in reverse');
  expectEqual(store.stats().pages, next, 'pages held');
}

async function recordLengths({ store }: StoreUnderTest, maxShort: number): Promise<void> {
  for (let length = maxShort + 1; length < STORE_PAGE_BYTES; length++) {
    await expectError(store.writeBatch(Uint32Array.of(9), new Uint8Array(STORE_PAGE_BYTES), 1, Uint16Array.of(length)), 'STORE_ARGUMENT', `a ${length}-byte record, above the declared ${maxShort}`, 9);
  }
  const lengths = Uint16Array.of(0, 1, 100, maxShort, 4096);
  const gfns = Uint32Array.of(10, 11, 12, 13, 14);
  const pages = pagesFor(gfns, 1);
  await store.writeBatch(gfns, pages, 5, lengths);
  await store.flush();
  const got = new Uint8Array(5 * STORE_PAGE_BYTES).fill(0xee);
  const gotLengths = new Uint16Array(5);
  await store.readBatch(gfns, 5, got, gotLengths);
  for (let i = 0; i < 5; i++) {
    expectEqual(gotLengths[i], lengths[i], `length of the record of gfn ${gfns[i]}`);
    const at = i * STORE_PAGE_BYTES;
    for (let b = 0; b < STORE_PAGE_BYTES; b++) {
      const want = b < lengths[i]! ? pages[at + b] : 0;
      if (got[at + b] !== want) throw new ConformanceFailure(`record of gfn ${gfns[i]} (${lengths[i]} bytes): byte ${b} is ${got[at + b]}, expected ${want}`);
    }
  }
}

async function missingGfn({ store }: StoreUnderTest): Promise<void> {
  await store.writeBatch(Uint32Array.of(1), pagesFor([1], 1), 1);
  await expectError(store.readBatch(Uint32Array.of(1, 2), 2, new Uint8Array(2 * STORE_PAGE_BYTES)), 'STORE_MISSING', 'reading a gfn never written', 2);
}

async function badArguments({ store }: StoreUnderTest): Promise<void> {
  await expectError(store.writeBatch(Uint32Array.of(MAX_PAGES), new Uint8Array(STORE_PAGE_BYTES), 1), 'STORE_ARGUMENT', 'writing a gfn beyond the range', MAX_PAGES);
  await expectError(store.writeBatch(Uint32Array.of(1), new Uint8Array(STORE_PAGE_BYTES), 1, Uint16Array.of(4097)), 'STORE_ARGUMENT', 'writing a 4097-byte record', 1);
  await expectError(store.writeBatch(Uint32Array.of(1, 2), new Uint8Array(STORE_PAGE_BYTES), 2), 'STORE_ARGUMENT', 'two records in one page of buffer');
  await store.writeBatch(Uint32Array.of(1), pagesFor([1], 1), 1);
  await expectPages(store, [1], [1], 'after refused calls');
  expectEqual(store.stats().pages, 1, 'pages held after refused calls');
}

async function concurrentBatches({ store }: StoreUnderTest): Promise<void> {
  const gfns = Uint32Array.from({ length: 32 }, (_, i) => i);
  const calls: Promise<void>[] = [];
  for (let version = 1; version <= 8; version++) calls.push(store.writeBatch(gfns, pagesFor(gfns, version), 32));
  calls.push(store.deleteBatch(Uint32Array.of(31), 1));
  const read = new Uint8Array(32 * STORE_PAGE_BYTES);
  const reading = store.readBatch(gfns, 31, read);
  await Promise.all([...calls, reading]);
  const want = new Uint8Array(STORE_PAGE_BYTES);
  for (let i = 0; i < 31; i++) {
    fillPageContent(want, 0x5703e, i, 8);
    if (!Buffer.from(read.buffer, i * STORE_PAGE_BYTES, STORE_PAGE_BYTES).equals(want)) {
      throw new ConformanceFailure(`a read issued after 8 unawaited writes saw an older version of gfn ${i}`);
    }
  }
  await expectError(store.readBatch(Uint32Array.of(31), 1, new Uint8Array(STORE_PAGE_BYTES)), 'STORE_MISSING', 'a gfn deleted after unawaited writes', 31);
}

async function counters({ store }: StoreUnderTest): Promise<void> {
  const gfns = Uint32Array.of(1, 2, 3);
  await store.writeBatch(gfns, pagesFor(gfns, 1), 3);
  await store.readBatch(gfns, 2, new Uint8Array(2 * STORE_PAGE_BYTES));
  await store.deleteBatch(Uint32Array.of(3, 9), 2);
  const stats = store.stats();
  expectEqual(stats.pages, 2, 'stats().pages');
  expectEqual(stats.writes, 3, 'stats().writes');
  expectEqual(stats.reads, 2, 'stats().reads');
  expectEqual(stats.deletes, 1, 'stats().deletes');
  if (!(stats.bytes > 0)) throw new ConformanceFailure(`stats().bytes is ${stats.bytes} while the store holds 2 pages`);
}

async function closing({ store }: StoreUnderTest): Promise<void> {
  await store.writeBatch(Uint32Array.of(1), pagesFor([1], 1), 1);
  await store.close();
  await store.close();
  await expectError(store.writeBatch(Uint32Array.of(1), pagesFor([1], 1), 1), 'STORE_CLOSED', 'writeBatch after close');
  await expectError(store.readBatch(Uint32Array.of(1), 1, new Uint8Array(STORE_PAGE_BYTES)), 'STORE_CLOSED', 'readBatch after close');
  await expectError(store.flush(), 'STORE_CLOSED', 'flush after close');
}

async function persistence({ store, reopen }: StoreUnderTest): Promise<void> {
  if (!store.durable) return;
  if (!reopen) throw new ConformanceFailure('the store says it is durable, but the subject gives no reopen()');
  const gfns = Uint32Array.from({ length: 100 }, (_, i) => i * 3);
  await store.writeBatch(gfns, pagesFor(gfns, 1), 100);
  await store.flush();
  await store.writeBatch(gfns.subarray(0, 10), pagesFor(gfns.subarray(0, 10), 2), 10);
  await store.deleteBatch(gfns.subarray(90), 10);
  await store.writeBatch(Uint32Array.of(1), pagesFor([1], 5), 1, Uint16Array.of(1000));
  await store.flush();
  await store.close();
  const again = await reopen();
  try {
    const kept = Array.from(gfns.subarray(0, 90));
    await expectPages(again, kept, kept.map((_, i) => (i < 10 ? 2 : 1)), 'after reopening');
    expectEqual(again.stats().pages, 91, 'pages held after reopening');
    await expectError(again.readBatch(Uint32Array.of(gfns[95]!), 1, new Uint8Array(STORE_PAGE_BYTES)), 'STORE_MISSING', 'a gfn deleted before reopening', gfns[95]);
    const lengths = new Uint16Array(1);
    await again.readBatch(Uint32Array.of(1), 1, new Uint8Array(STORE_PAGE_BYTES), lengths);
    expectEqual(lengths[0], 1000, 'length of a short record after reopening');
  } finally {
    await again.close();
  }
}
