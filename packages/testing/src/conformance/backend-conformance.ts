import { EVICT_DONE, EVICT_REFUSED, EVICT_SKIP, EVICT_TRY, PAGE_IN_GONE, PAGE_IN_REQUESTED, STORE_PAGE_BYTES, type PagingBackend } from '@pagevisor/core';
import { ConformanceFailure, runConformance, type ConformanceCase, type ConformanceResult } from './conformance-case.js';
import { ConformancePager } from './conformance-pager.js';

/**
 * The guest of a backend under test: something that touches its memory as the guest (a vcpu, a
 * thread) would, and may block in a fault until the suite serves it.
 *
 * @example
 * ```ts
 * const guest: BackendGuest = { write: (page) => worker.call('write', page), read: (page) => worker.call('read', page) };
 * ```
 */
export interface BackendGuest {
  /**
   * Changes the page's content as the guest; resolves, once the write is done, with the 4096 bytes
   * the page must hold now.
   */
  write(page: number): Promise<Uint8Array>;
  /** Reads the page as the guest; resolves with its 4096 bytes. */
  read(page: number): Promise<Uint8Array>;
}

/**
 * A backend under test, freshly made over its own memory, not yet open.
 *
 * @example
 * ```ts
 * const underTest: BackendUnderTest = { backend, guest, cleanup: async () => region.close() };
 * ```
 */
export interface BackendUnderTest {
  /** The backend; the suite opens and closes it. */
  readonly backend: PagingBackend;
  /** Its guest. */
  readonly guest: BackendGuest;
  /** Releases what the subject made (a Worker, a region, a domain) once the case is over. */
  readonly cleanup?: () => Promise<void>;
}

/**
 * How the backend suite gets backends.
 *
 * @example
 * ```ts
 * const subject: BackendConformanceSubject = { name: 'mine', create: async () => ({ backend: new MyBackend(64), guest: myGuest }) };
 * ```
 */
export interface BackendConformanceSubject {
  /** Names the backend in case names (`xen`, `userfaultfd`). */
  readonly name: string;
  /** Makes a new backend of at least 16 pages over fresh memory. */
  create(): Promise<BackendUnderTest>;
  /** The 8 pages the cases use, each one the guest may touch and the backend may evict (default 0 to 7). */
  readonly pages?: readonly number[];
}

/**
 * The paging backend conformance suite: the {@link @pagevisor/core!PagingBackend | PagingBackend}
 * contract, checked by a minimal pager of its own against a guest touching the memory (faults are
 * reported and woken, prepared bytes are the guest's, evicted pages come back with them, a write
 * during an eviction is never lost, refused and skipped pages stay, `requestPageIn`, batch limits).
 *
 * @remarks
 * Like the store and policy suites, it depends on no test framework. Every case makes its own backend
 * through `subject.create`, opens it, writes each page as the guest, and closes it at the end
 * (gracefully, every page brought back first).
 *
 * @example
 * ```ts
 * import { describe, it } from 'vitest';
 * import { backendConformanceCases } from '@pagevisor/testing';
 *
 * describe('my backend', () => {
 *   for (const c of backendConformanceCases({ name: 'mine', create: makeBackend })) it(c.name, c.run);
 * });
 * ```
 */
export function backendConformanceCases(subject: BackendConformanceSubject): ConformanceCase[] {
  const pages = subject.pages ?? [0, 1, 2, 3, 4, 5, 6, 7];
  const cases: Array<[string, (t: Case) => Promise<void>]> = [
    ['names itself once open and reports consistent capabilities', capabilities],
    ['reports no fault while the guest is idle', idle],
    ['copies out the bytes the guest wrote, and evicted pages fault back in with them', roundTrip],
    ['keeps resident, with their content, pages whose eviction was abandoned or skipped', abandonAndSkip],
    ['never loses a write made while its page is being evicted', writeDuringEviction],
    ['pages in on request a page that is out, and answers PAGE_IN_GONE for one that is not', requestPageIn],
  ];
  return cases.map(([name, body]) => ({
    name: `${subject.name}: ${name}`,
    async run() {
      const underTest = await subject.create();
      const { backend, guest } = underTest;
      let open = false;
      try {
        if (backend.pageCount < 16) throw new ConformanceFailure(`the backend has ${backend.pageCount} pages: the suite needs at least 16`);
        await backend.open();
        open = true;
        const pager = new ConformancePager(backend); // capabilities may depend on what open negotiated
        const content = new Map<number, Uint8Array>();
        for (const page of pages) content.set(page, await pager.serveUntil(guest.write(page), `the first write of page ${page}`));
        await body({ backend, guest, pager, pages, content });
        for (const page of [...pager.out.keys()]) await pager.serveUntil(guest.read(page), `reading page ${page} back before the close`);
        await backend.close('graceful');
        open = false;
      } finally {
        if (open) await Promise.resolve(backend.close('hard')).catch(() => undefined);
        await underTest.cleanup?.();
      }
    },
  }));
}

/**
 * Runs every backend case and returns each outcome (for use outside a test runner).
 *
 * @example
 * ```ts
 * const failed = (await runBackendConformance(subject)).filter((r) => r.error);
 * ```
 */
export function runBackendConformance(subject: BackendConformanceSubject): Promise<ConformanceResult[]> {
  return runConformance(backendConformanceCases(subject));
}

/** One case's backend, guest, pager, pages and what each page holds now. */
interface Case {
  readonly backend: PagingBackend;
  readonly guest: BackendGuest;
  readonly pager: ConformancePager;
  readonly pages: readonly number[];
  readonly content: Map<number, Uint8Array>;
}

async function capabilities({ backend }: Case): Promise<void> {
  const { maxBatch } = backend.capabilities;
  if (!backend.info?.name) throw new ConformanceFailure('info.name is empty once the backend is open');
  if (!Number.isInteger(maxBatch) || maxBatch < 1) throw new ConformanceFailure(`capabilities.maxBatch is ${maxBatch}, not a positive integer`);
  if (!/^[A-Za-z0-9_-]+$/.test(backend.memoryName)) throw new ConformanceFailure(`memoryName ${JSON.stringify(backend.memoryName)} is not letters, digits, - and _`);
  const resident = backend.residentPages();
  if (!Number.isInteger(resident) || resident < 0 || resident > backend.pageCount) throw new ConformanceFailure(`residentPages() is ${resident}, outside 0 to ${backend.pageCount}`);
}

async function idle({ pager }: Case): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, 20));
  const n = await pager.serveOnce();
  if (n !== 0) throw new ConformanceFailure(`drainFaults returned ${n} records with the guest idle`);
}

/** Prepares `victims`; checks the reordering and the bytes; returns the prepared pages and their bytes. */
async function prepare({ backend, content }: Case, victims: readonly number[]): Promise<{ prepared: Uint32Array; bytes: Uint8Array }> {
  const list = Uint32Array.from(victims);
  const bytes = new Uint8Array(list.length * STORE_PAGE_BYTES);
  const k = await backend.prepareEviction(list, list.length, bytes);
  if (!Number.isInteger(k) || k < 0 || k > list.length) throw new ConformanceFailure(`prepareEviction returned ${k} for ${list.length} pages`);
  if (!backend.capabilities.refusesEviction && k !== list.length) throw new ConformanceFailure(`prepareEviction refused ${list.length - k} resident pages, but capabilities.refusesEviction is false`);
  if ([...list].sort((a, b) => a - b).join() !== [...victims].sort((a, b) => a - b).join()) throw new ConformanceFailure(`prepareEviction did not keep the pages it was given: [${victims}] became [${[...list]}]`);
  for (let i = 0; i < k; i++) {
    const page = list[i]!;
    if (!sameBytes(bytes.subarray(i * STORE_PAGE_BYTES, (i + 1) * STORE_PAGE_BYTES), content.get(page)!)) throw new ConformanceFailure(`prepareEviction copied out bytes of page ${page} that are not what the guest wrote`);
  }
  return { prepared: list.subarray(0, k), bytes: bytes.subarray(0, k * STORE_PAGE_BYTES) };
}

/** Commits with one outcome for every prepared page; checks the outcomes; returns the pages evicted. */
async function commit({ backend, pager }: Case, prepared: Uint32Array, bytes: Uint8Array, input: number): Promise<number[]> {
  const outcome = new Uint8Array(prepared.length).fill(input);
  await backend.commitEviction(prepared, prepared.length, bytes, outcome);
  const evicted: number[] = [];
  prepared.forEach((page, i) => {
    const got = outcome[i];
    if (input === EVICT_SKIP && got === EVICT_DONE) throw new ConformanceFailure(`commitEviction evicted page ${page}, which the engine had marked EVICT_SKIP`);
    if (input === EVICT_TRY && got !== EVICT_DONE && got !== EVICT_REFUSED) throw new ConformanceFailure(`commitEviction set page ${page} to ${got}, not EVICT_DONE or EVICT_REFUSED`);
    if (got === EVICT_REFUSED && !backend.capabilities.refusesEviction) throw new ConformanceFailure(`commitEviction refused page ${page}, but capabilities.refusesEviction is false`);
    if (input === EVICT_TRY && got === EVICT_DONE) {
      pager.out.set(page, bytes.slice(i * STORE_PAGE_BYTES, (i + 1) * STORE_PAGE_BYTES));
      evicted.push(page);
    }
  });
  return evicted;
}

async function roundTrip(t: Case): Promise<void> {
  const { backend, guest, pager, pages, content } = t;
  const before = backend.residentPages();
  const faultsBefore = new Map(pager.faultsOn);
  const { prepared, bytes } = await prepare(t, pages);
  const evicted = await commit(t, prepared, bytes, EVICT_TRY);
  if (evicted.length === 0) throw new ConformanceFailure(`none of the ${pages.length} pages written could be evicted`);
  const after = backend.residentPages();
  if (after !== before - evicted.length) throw new ConformanceFailure(`residentPages() went from ${before} to ${after} after evicting ${evicted.length} pages`);
  for (const page of pages) {
    const seen = await pager.serveUntil(guest.read(page), `reading page ${page}`);
    if (!sameBytes(seen, content.get(page)!)) throw new ConformanceFailure(`page ${page} reads back with bytes that are not the ones it held${evicted.includes(page) ? ' when it was evicted' : ''}`);
  }
  for (const page of evicted) if ((pager.faultsOn.get(page) ?? 0) <= (faultsBefore.get(page) ?? 0)) throw new ConformanceFailure(`page ${page} came back in without a fault record for the read`);
  if (pager.out.size > 0) throw new ConformanceFailure(`pages [${[...pager.out.keys()]}] were read by the guest without being paged in`);
  if (backend.residentPages() !== before) throw new ConformanceFailure(`residentPages() is ${backend.residentPages()} once every page is back, not ${before}`);
}

async function abandonAndSkip(t: Case): Promise<void> {
  const { backend, guest, pager, pages, content } = t;
  const before = backend.residentPages();
  const abandoned = await prepare(t, pages.slice(0, 4));
  await backend.abandonEviction(abandoned.prepared, abandoned.prepared.length);
  const skipped = await prepare(t, pages.slice(4));
  await commit(t, skipped.prepared, skipped.bytes, EVICT_SKIP);
  if (backend.residentPages() !== before) throw new ConformanceFailure(`residentPages() went from ${before} to ${backend.residentPages()} though no eviction was committed`);
  for (const page of pages) {
    const seen = await pager.serveUntil(guest.read(page), `reading page ${page}`);
    if (!sameBytes(seen, content.get(page)!)) throw new ConformanceFailure(`page ${page} lost its content when its eviction was ${pages.indexOf(page) < 4 ? 'abandoned' : 'skipped'}`);
    content.set(page, await pager.serveUntil(guest.write(page), `writing page ${page}`));
    if (!sameBytes(await pager.serveUntil(guest.read(page), `reading page ${page}`), content.get(page)!)) throw new ConformanceFailure(`page ${page} does not keep a write made after its eviction was called off`);
  }
}

async function writeDuringEviction(t: Case): Promise<void> {
  const { guest, pager, pages, content } = t;
  const page = pages[0]!;
  const { prepared, bytes } = await prepare(t, [page]);
  // The guest writes while the page is prepared: the backend must make it wait, or refuse the eviction.
  const write = guest.write(page);
  write.catch(() => undefined);
  await new Promise((resolve) => setTimeout(resolve, 10));
  await commit(t, prepared, bytes, prepared.length > 0 ? EVICT_TRY : EVICT_SKIP);
  const written = await pager.serveUntil(write, `the write of page ${page} during its eviction`);
  content.set(page, written);
  const seen = await pager.serveUntil(guest.read(page), `reading page ${page} after the write`);
  if (!sameBytes(seen, written)) throw new ConformanceFailure(`the guest's write to page ${page} during its eviction was lost: the page reads back as it was before`);
}

async function requestPageIn(t: Case): Promise<void> {
  const { backend, pager, pages } = t;
  if (!backend.capabilities.prefetch) return; // requestPageIn is only for backends that prefetch
  const [victim, resident] = [pages[1]!, pages[2]!];
  const { prepared, bytes } = await prepare(t, [victim]);
  const evicted = await commit(t, prepared, bytes, EVICT_TRY);
  const outcome = new Uint8Array(2).fill(0xff);
  await backend.requestPageIn(Uint32Array.of(victim, resident), 2, outcome);
  if (outcome[1] !== PAGE_IN_GONE) throw new ConformanceFailure(`requestPageIn of resident page ${resident} answered ${outcome[1]}, not PAGE_IN_GONE`);
  if (evicted.length === 0) return; // refused: nothing is out to request
  if (outcome[0] !== PAGE_IN_REQUESTED) throw new ConformanceFailure(`requestPageIn of page ${victim}, which is out, answered ${outcome[0]}, not PAGE_IN_REQUESTED`);
  await pager.serveWhile(() => pager.out.has(victim), `the page-in of page ${victim} requested without an access`);
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}
