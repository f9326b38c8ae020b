import { isPagevisorError, STORE_PAGE_BYTES, type PageStore } from '@pagevisor/core';
import { fillPageContent } from '../sim/page-content.js';
import { SeededRandom } from '../sim/seeded-random.js';

/**
 * Settings of a store stress run; the same settings give the same operations.
 *
 * @example
 * ```ts
 * await runStoreStress(store, { ops: 10_000, seed: 7, gfns: 512, batch: 32 }, console.log);
 * ```
 */
export interface StoreStressOptions {
  /** Operations in all. */
  readonly ops: number;
  /** Seed of the operations and of the pages' content. */
  readonly seed: number;
  /** gfns used are `[0, gfns)` (default 4096). */
  readonly gfns?: number;
  /** Operations per batch; each batch ends with a flush (default 64). */
  readonly batch?: number;
  /** Stops the run after the batch under way when it aborts (Ctrl-C); the event loop gets a turn after each batch. */
  readonly signal?: AbortSignal;
}

/**
 * What a stress run did.
 *
 * @example
 * ```ts
 * const { ops, flushes, opsPerSecond } = await runStoreStress(store, { ops: 10_000, seed: 7 }, () => undefined);
 * ```
 */
export interface StoreStressSummary {
  /** Operations run (fewer than asked when `signal` stopped the run). */
  readonly ops: number;
  /** Of them, puts. */
  readonly puts: number;
  /** Of them, deletes. */
  readonly deletes: number;
  /** Flushes (one per batch). */
  readonly flushes: number;
  /** Wall time of the run. */
  readonly seconds: number;
  /** Operations per second, flushes included. */
  readonly opsPerSecond: number;
}

const PUT = 1;
const DEL = 2;

/**
 * The operations of a stress run, one at a time: op `i` (from 1) is a put of version `i` (70%) or a
 * delete, of a random gfn.
 */
class StressOps {
  private readonly random: SeededRandom;
  /** 1-based index of the current operation. */
  index = 0;
  /** PUT or DEL. */
  kind = 0;
  gfn = 0;

  constructor(
    seed: number,
    private readonly gfns: number,
  ) {
    this.random = new SeededRandom(seed);
  }

  next(): void {
    this.index++;
    this.kind = this.random.float() < 0.7 ? PUT : DEL;
    this.gfn = this.random.int(this.gfns);
  }
}

/**
 * The first line of every stress page: `pagevisor-stress gfn=<gfn> version=<version>\n`.
 *
 * @example
 * ```ts
 * stressHead(42, 1000); // 'pagevisor-stress gfn=42 version=1000\n'
 * ```
 */
export function stressHead(gfn: number, version: number): string {
  return `pagevisor-stress gfn=${gfn} version=${version}\n`;
}

/**
 * Fills `out` (4096 bytes) with the page a stress run writes for `gfn` at `version`.
 *
 * @example
 * ```ts
 * const page = new Uint8Array(4096);
 * fillStressPage(page, 7, 42, 1000); // starts with "pagevisor-stress gfn=42 version=1000\n"
 * ```
 */
export function fillStressPage(out: Uint8Array, seed: number, gfn: number, version: number): void {
  fillPageContent(out, seed, gfn, version);
  const head = stressHead(gfn, version);
  for (let i = 0; i < head.length; i++) out[i] = head.charCodeAt(i);
}

/**
 * The first line of a page as text (at most 200 characters), for dumps.
 *
 * @example
 * ```ts
 * pageHead(new TextEncoder().encode('hello\nworld')); // 'hello'
 * ```
 */
export function pageHead(page: Uint8Array): string {
  const end = page.indexOf(0x0a);
  const line = page.subarray(0, Math.min(end < 0 ? page.length : end, 200));
  return Buffer.from(line.buffer, line.byteOffset, line.length).toString('latin1');
}

/**
 * Runs random puts and deletes against `store` in batches, flushing after each batch, and reports
 * every operation the flush acknowledged, in order: `ack put <gfn> <version>` or `ack del <gfn>`.
 *
 * @remarks
 * This is the writer of the crash test (e2e/test/store-crash.test.ts): a parent runs it in a child process, kills the
 * child at a random moment, reopens the store and checks it with {@link checkStressAcks}.
 *
 * @example
 * ```ts
 * await runStoreStress(store, { ops: 10_000, seed: 7 }, (line) => process.stdout.write(line + '\n'));
 * ```
 */
export async function runStoreStress(store: PageStore, options: StoreStressOptions, onAck: (line: string) => void): Promise<StoreStressSummary> {
  const gfns = options.gfns ?? 4096;
  const batch = options.batch ?? 64;
  const ops = new StressOps(options.seed, gfns);
  const kinds = new Uint8Array(batch);
  const targets = new Uint32Array(batch);
  const pages = new Uint8Array(batch * STORE_PAGE_BYTES);
  let puts = 0;
  let deletes = 0;
  let flushes = 0;
  const started = performance.now();
  let done = 0;
  while (done < options.ops && options.signal?.aborted !== true) {
    const count = Math.min(batch, options.ops - done);
    const first = ops.index + 1;
    for (let k = 0; k < count; k++) {
      ops.next();
      kinds[k] = ops.kind;
      targets[k] = ops.gfn;
      if (ops.kind === PUT) fillStressPage(pages.subarray(k * STORE_PAGE_BYTES, (k + 1) * STORE_PAGE_BYTES), options.seed, ops.gfn, ops.index);
    }
    // Runs of the same kind go out as one call each, in order.
    for (let start = 0; start < count; ) {
      let end = start + 1;
      while (end < count && kinds[end] === kinds[start]) end++;
      if (kinds[start] === PUT) await store.writeBatch(targets.subarray(start, end), pages.subarray(start * STORE_PAGE_BYTES), end - start);
      else await store.deleteBatch(targets.subarray(start, end), end - start);
      start = end;
    }
    await store.flush();
    flushes++;
    for (let k = 0; k < count; k++) {
      if (kinds[k] === PUT) {
        puts++;
        onAck(`ack put ${targets[k]} ${first + k}`);
      } else {
        deletes++;
        onAck(`ack del ${targets[k]}`);
      }
    }
    done += count;
    if (options.signal) await new Promise((resolve) => setImmediate(resolve));
  }
  const seconds = (performance.now() - started) / 1000;
  return { ops: done, puts, deletes, flushes, seconds: +seconds.toFixed(3), opsPerSecond: Math.round(done / seconds) };
}

/**
 * What {@link checkStressAcks} found.
 *
 * @example
 * ```ts
 * const { acked, problems } = await checkStressAcks(store, { ops: 10_000, seed: 7 }, acks);
 * ```
 */
export interface StressCheck {
  /** Acknowledged operations read from the child's output. */
  readonly acked: number;
  /** gfns whose state was checked. */
  readonly checked: number;
  /** Every violation, each naming the gfn and what was wrong; empty if the store kept its promises. */
  readonly problems: readonly string[];
}

/**
 * Checks a store reopened after a stress run was killed: every acknowledged operation must hold.
 * For each gfn, the store must show the state after its last acknowledged operation or after a later
 * one (a later put's version, or absence after a later delete), and every page it holds must be the
 * intact page of the version its first line names.
 *
 * @param acks - the `ack …` lines the child printed before it died (a cut-off last line is ignored)
 *
 * @example
 * ```ts
 * const store = await PagefileStore.open({ path }, 4096);
 * const { problems } = await checkStressAcks(store, { ops: 100_000, seed: 7 }, ackLines);
 * if (problems.length > 0) throw new Error(problems.join('\n'));
 * ```
 */
export async function checkStressAcks(store: PageStore, options: StoreStressOptions, acks: readonly string[]): Promise<StressCheck> {
  const gfns = options.gfns ?? 4096;
  const problems: string[] = [];
  // Replay the operations: each gfn's last acknowledged op, and every op of it after that.
  const lastAcked = new Float64Array(gfns); // op index, 0 = none
  const lastAckedKind = new Uint8Array(gfns);
  const laterPuts = new Map<number, Set<number>>();
  const laterDelete = new Uint8Array(gfns);
  const lines = acks.filter((line) => /^ack (put \d+ \d+|del \d+)$/.test(line));
  const ops = new StressOps(options.seed, gfns);
  for (let i = 0; i < options.ops; i++) {
    ops.next();
    const expected = ops.kind === PUT ? `ack put ${ops.gfn} ${ops.index}` : `ack del ${ops.gfn}`;
    if (i < lines.length) {
      if (lines[i] !== expected) {
        problems.push(`ack line ${i + 1} is "${lines[i]}", but operation ${ops.index} of seed ${options.seed} is "${expected}"`);
        return { acked: lines.length, checked: 0, problems };
      }
      lastAcked[ops.gfn] = ops.index;
      lastAckedKind[ops.gfn] = ops.kind;
      laterPuts.delete(ops.gfn);
      laterDelete[ops.gfn] = 0;
    } else if (ops.kind === PUT) {
      let set = laterPuts.get(ops.gfn);
      if (!set) laterPuts.set(ops.gfn, (set = new Set()));
      set.add(ops.index);
    } else laterDelete[ops.gfn] = 1;
  }
  const page = new Uint8Array(STORE_PAGE_BYTES);
  const want = new Uint8Array(STORE_PAGE_BYTES);
  const one = new Uint32Array(1);
  for (let gfn = 0; gfn < gfns; gfn++) {
    one[0] = gfn;
    let found: number | undefined;
    try {
      await store.readBatch(one, 1, page);
      const head = /^pagevisor-stress gfn=(\d+) version=(\d+)$/.exec(pageHead(page));
      if (!head || Number(head[1]) !== gfn) {
        problems.push(`gfn ${gfn}: holds a page whose first line is ${JSON.stringify(pageHead(page))}`);
        continue;
      }
      found = Number(head[2]);
      fillStressPage(want, options.seed, gfn, found);
      if (!Buffer.from(page).equals(want)) problems.push(`gfn ${gfn}: the page of version ${found} is not intact`);
    } catch (error) {
      if (!isPagevisorError(error, 'STORE_MISSING')) {
        problems.push(`gfn ${gfn}: ${(error as Error).message}`);
        continue;
      }
    }
    const acked = lastAcked[gfn]!;
    const ackedPut = lastAckedKind[gfn] === PUT;
    if (found === undefined) {
      if (ackedPut && laterDelete[gfn] === 0) problems.push(`gfn ${gfn}: missing, but version ${acked} was acknowledged and never deleted after`);
    } else if (!(ackedPut && found === acked) && !laterPuts.get(gfn)?.has(found)) {
      problems.push(`gfn ${gfn}: holds version ${found}, but the last acknowledged operation is ${acked === 0 ? 'none' : ackedPut ? `put version ${acked}` : `delete (op ${acked})`} and no later put wrote version ${found}`);
    }
  }
  return { acked: lines.length, checked: gfns, problems };
}
