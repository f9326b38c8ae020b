import { describe, expect, it } from 'vitest';
import { BehaviorSubject, Subject } from 'rxjs';
import {
  createPager,
  EVICT_DONE,
  EVICT_TRY,
  EVICT_ZERO,
  PAGE_REMOVED,
  PAGE_STORE,
  POPULATED,
  PAGE_IN_REQUESTED,
  PAGE_IN_GONE,
  VICTIM_POLICY,
  type BackendCapabilities,
  type FaultBatch,
  type PageStore,
  type PageStoreStats,
  type PagevisorPlugin,
  type PagingBackend,
  type VictimPolicy,
} from '@pagevisor/core';

const PAGE = 4096;
const PAGES = 16;

/**
 * The engine's side of dirty tracking, against a backend that tracks writes exactly: a clean page goes
 * out without a write and its copy stays in the store; a written one is written again; a page evicted
 * as zeros, refused, or removed has its stale copy deleted. It reports accesses too, as a sampling
 * backend does (`accesses: 'sampled'`, drainAccesses).
 */
class TrackingBackend implements PagingBackend {
  readonly memoryName = 'tracking';
  readonly capabilities: BackendCapabilities = { maxBatch: 16, refusesEviction: true, accesses: 'sampled', dirtyTracking: true, zeroPages: true, startsAbsent: false, prefetch: true };
  /** Accesses to report with the next drainAccesses. */
  readonly accessed: number[] = [];
  readonly info = { name: 'tracking' };
  readonly activity$ = new Subject<void>();
  readonly target$ = new BehaviorSubject(PAGES);
  readonly pageCount = PAGES;
  readonly memory = new Uint8Array(PAGES * PAGE);
  /** 1 resident, 0 out. */
  readonly resident = new Uint8Array(PAGES).fill(1);
  /** 1 when written since it came from the store (every page starts dirty: no store holds it). */
  readonly dirty = new Uint8Array(PAGES).fill(1);
  private readonly faults: number[] = [];
  private readonly removals: number[] = [];
  private readonly waiting = new Map<number, () => void>();

  async touch(page: number, value?: number): Promise<void> {
    if (this.resident[page] === 0) {
      await new Promise<void>((wake) => {
        this.waiting.set(page, wake);
        this.faults.push(page);
        this.activity$.next();
      });
    }
    if (value !== undefined) {
      this.memory.fill(value, page * PAGE, (page + 1) * PAGE);
      this.dirty[page] = 1;
    }
  }

  remove(page: number): void {
    this.resident[page] = 0;
    this.memory.fill(0, page * PAGE, (page + 1) * PAGE);
    this.removals.push(page);
    this.activity$.next();
  }

  open(): void {}
  close(): void {
    this.activity$.complete();
  }
  residentPages(): number {
    return this.resident.reduce((n, r) => n + r, 0);
  }
  drainAccesses(into: Uint32Array): number {
    const n = Math.min(into.length, this.accessed.length);
    for (let i = 0; i < n; i++) into[i] = this.accessed.shift()!;
    return n;
  }
  drainFaults(into: FaultBatch): number {
    let n = 0;
    for (; n < into.pages.length && this.removals.length > 0; n++) {
      into.pages[n] = this.removals.shift()!;
      into.flags[n] = PAGE_REMOVED;
      into.ids[n] = into.pages[n]!;
    }
    for (; n < into.pages.length && this.faults.length > 0; n++) {
      into.pages[n] = this.faults.shift()!;
      into.flags[n] = 0;
      into.ids[n] = into.pages[n]!;
    }
    return n;
  }
  populate(pages: Uint32Array, count: number, bytes: Uint8Array, outcome: Uint8Array): void {
    for (let i = 0; i < count; i++) {
      this.memory.set(bytes.subarray(i * PAGE, (i + 1) * PAGE), pages[i]! * PAGE);
      this.resident[pages[i]!] = 1;
      this.dirty[pages[i]!] = 0;
      outcome[i] = POPULATED;
    }
  }
  completeFaults(ids: Uint32Array, count: number): void {
    for (let i = 0; i < count; i++) {
      if (this.resident[ids[i]!] === 0) this.resident[ids[i]!] = 1; // a removed page faults back as zeros
      this.waiting.get(ids[i]!)?.();
      this.waiting.delete(ids[i]!);
    }
  }
  requestPageIn(pages: Uint32Array, count: number, outcome: Uint8Array): void {
    for (let i = 0; i < count; i++) {
      outcome[i] = this.resident[pages[i]!] === 0 ? PAGE_IN_REQUESTED : PAGE_IN_GONE;
      if (outcome[i] === PAGE_IN_REQUESTED) this.faults.push(pages[i]!);
    }
    this.activity$.next();
  }
  prepareEviction(pages: Uint32Array, count: number, bytes: Uint8Array, clean?: Uint8Array): number {
    for (let i = 0; i < count; i++) {
      const page = pages[i]!;
      if (clean !== undefined && this.dirty[page] === 0) clean[i] = 1;
      else bytes.set(this.memory.subarray(page * PAGE, (page + 1) * PAGE), i * PAGE);
    }
    return count;
  }
  commitEviction(pages: Uint32Array, count: number, _bytes: Uint8Array, outcome: Uint8Array): void {
    for (let i = 0; i < count; i++) {
      if (outcome[i] !== EVICT_TRY && outcome[i] !== EVICT_ZERO) continue;
      this.memory.fill(0, pages[i]! * PAGE, (pages[i]! + 1) * PAGE);
      this.resident[pages[i]!] = 0;
      outcome[i] = EVICT_DONE;
    }
  }
  abandonEviction(): void {}
}

/** A store in a Map that counts what it is asked. */
class CountingStore implements PageStore {
  readonly name = 'counting';
  readonly durable = false;
  readonly held = new Map<number, Uint8Array>();
  writes = 0;
  deletes = 0;
  async writeBatch(gfns: Uint32Array, pages: Uint8Array, count: number): Promise<void> {
    for (let i = 0; i < count; i++) this.held.set(gfns[i]!, pages.slice(i * PAGE, (i + 1) * PAGE));
    this.writes += count;
  }
  async readBatch(gfns: Uint32Array, count: number, into: Uint8Array): Promise<void> {
    for (let i = 0; i < count; i++) into.set(this.held.get(gfns[i]!)!, i * PAGE);
  }
  async deleteBatch(gfns: Uint32Array, count: number): Promise<void> {
    for (let i = 0; i < count; i++) if (this.held.delete(gfns[i]!)) this.deletes++;
  }
  async flush(): Promise<void> {}
  async close(): Promise<void> {}
  async [Symbol.asyncDispose](): Promise<void> {}
  stats(): PageStoreStats {
    return { pages: this.held.size, bytes: this.held.size * PAGE, writes: this.writes, reads: 0, deletes: this.deletes };
  }
}

/** Evicts the resident page with the lowest index that it is not told to keep; lists the accesses it hears of. */
function lowestFirst(keep: Set<number>, heard: number[]): PagevisorPlugin {
  const out = new Uint8Array(PAGES);
  const policy: VictimPolicy = {
    name: 'lowest-first',
    bytesPerPage: 1,
    chooseVictims(max: number, victims: Uint32Array) {
      let n = 0;
      for (let page = 0; page < PAGES && n < max; page++) if (out[page] === 0 && !keep.has(page)) victims[n++] = page;
      return n;
    },
    notifyPagedOut: (gfn: number) => void (out[gfn] = 1),
    notifyPagedIn: (gfn: number) => void (out[gfn] = 0),
    notifyDropped: (gfn: number) => void (out[gfn] = 0),
    notifyNominationFailed: () => undefined,
    notifyAccess: (gfn: number) => void heard.push(gfn),
  };
  return { name: 'lowest-first', register: (container) => container.provide(VICTIM_POLICY, policy) };
}

async function setup() {
  const backend = new TrackingBackend();
  for (let page = 0; page < PAGES; page++) backend.memory.fill(page + 1, page * PAGE, (page + 1) * PAGE);
  const store = new CountingStore();
  const keep = new Set<number>();
  const heard: number[] = [];
  const pager = createPager({ backend, policy: lowestFirst(keep, heard), store: { name: 'counting', register: (c) => c.provide(PAGE_STORE, store) } });
  await pager.start();
  return { backend, store, pager, keep, heard };
}

describe('the engine with a backend that tracks dirty pages and reports accesses', () => {
  it('tells the policy of each access the backend reports to a page still in, before it picks victims, and counts them', async () => {
    const { backend, pager, heard, keep } = await setup();
    backend.target$.next(8);
    await pager.settle();
    expect(heard).toEqual([]);
    // Pages 0-7 are out now: an access recorded before one went out is no news the policy may act on.
    backend.accessed.push(9, 2, 12, 9, 5);
    for (let page = 8; page < PAGES; page++) keep.add(page);
    backend.target$.next(7); // a pass that evicts: the accesses are drained first
    await pager.settle();
    expect(heard).toEqual([9, 12, 9]);
    expect(pager.stats.accessesSeen).toBe(3);
    // A batch larger than the engine's buffer is drained whole.
    backend.accessed.push(...Array.from({ length: 5000 }, (_, i) => 8 + (i % 8)));
    keep.clear();
    backend.target$.next(6);
    await pager.settle();
    expect(pager.stats.accessesSeen).toBe(5003);
    expect(backend.accessed).toEqual([]);
    await pager.stop('graceful');
  });

  it('writes a page once, keeps its copy when it comes back, and evicts it clean without a write', async () => {
    const { backend, store, pager } = await setup();
    backend.target$.next(8);
    await pager.settle();
    expect(store.writes).toBe(8); // pages 0-7, dirty since they were never stored
    backend.target$.next(PAGES);
    await pager.settle();
    for (let page = 0; page < 8; page++) await backend.touch(page); // read only
    await pager.settle();
    expect(store.held.size).toBe(8); // kept after paging in: the pages are clean
    backend.target$.next(8);
    await pager.settle();
    expect(store.writes).toBe(8); // no write: all clean
    expect(pager.stats.cleanEvictions).toBe(8);
    backend.target$.next(PAGES);
    await pager.settle();
    await backend.touch(3, 0xaa); // written after it came in
    backend.target$.next(8);
    await pager.settle();
    expect(store.writes).toBe(9); // page 3 alone is written again
    await pager.stop('graceful');
    expect(backend.memory[3 * PAGE]).toBe(0xaa);
    expect(backend.memory[5 * PAGE]).toBe(6);
  });

  it('deletes the stale copy of a held page evicted as zeros, and of one the guest removed', async () => {
    const { backend, store, pager, keep } = await setup();
    backend.target$.next(8);
    await pager.settle();
    backend.target$.next(PAGES);
    await pager.settle();
    await backend.touch(2);
    await backend.touch(4);
    await pager.settle();
    expect(store.held.has(2) && store.held.has(4)).toBe(true);
    await backend.touch(2, 0); // now all zeros: it goes out as a zero page, and its old copy must go
    for (let page = 0; page < PAGES; page++) if (page !== 2) keep.add(page);
    backend.target$.next(PAGES - 1);
    await pager.settle();
    expect(pager.stats.zeroEvictions).toBe(1);
    expect(store.held.has(2)).toBe(false);
    backend.remove(4); // the guest gives page 4 back: its copy is of no use
    await pager.settle();
    expect(store.held.has(4)).toBe(false);
    keep.clear();
    await pager.stop('graceful');
    expect(backend.memory[2 * PAGE]).toBe(0);
    expect(backend.memory[6 * PAGE]).toBe(7);
  });
});
