import {
  createPager,
  EVICT_DONE,
  EVICT_TRY,
  isPagevisorError,
  PAGE_IN_REQUESTED,
  POPULATED,
  type BackendCapabilities,
  type FaultBatch,
  type PagingBackend,
} from '@pagevisor/core';
import { policyNamed } from '@pagevisor/policies';
import { memoryStore } from '@pagevisor/storage';
import { BehaviorSubject, Subject } from 'rxjs';
import { describe, expect, it } from 'vitest';

const PAGES = 256;

/** A backend whose pages are flags: enough to watch what the engine asks of it. */
class FlagBackend implements PagingBackend {
  readonly pageCount = PAGES;
  readonly memoryName = 'flags';
  readonly info = { name: 'flags' };
  readonly activity$ = new Subject<void>();
  readonly target$ = new BehaviorSubject<number>(PAGES);
  readonly resident = new Uint8Array(PAGES).fill(1);
  readonly faults: number[] = [];
  pageInRequests = 0;

  constructor(readonly capabilities: BackendCapabilities) {}

  open(): void {}
  close(): void {}
  residentPages(): number {
    return this.resident.reduce((n, r) => n + r, 0);
  }
  /** The application touches `page`. */
  touch(page: number): void {
    if (this.resident[page] === 1) return;
    this.faults.push(page);
    this.activity$.next();
  }
  drainFaults(into: FaultBatch): number {
    const n = Math.min(this.faults.length, this.capabilities.maxBatch);
    for (let i = 0; i < n; i++) {
      into.pages[i] = this.faults.shift()!;
      into.flags[i] = 0;
      into.who[i] = 0;
      into.ids[i] = i;
    }
    return n;
  }
  populate(pages: Uint32Array, count: number, _bytes: Uint8Array, outcome: Uint8Array): void {
    for (let i = 0; i < count; i++) {
      this.resident[pages[i]!] = 1;
      outcome[i] = POPULATED;
    }
  }
  completeFaults(): void {}
  requestPageIn(pages: Uint32Array, count: number, outcome: Uint8Array): void {
    this.pageInRequests++;
    for (let i = 0; i < count; i++) {
      this.faults.push(pages[i]!);
      outcome[i] = PAGE_IN_REQUESTED;
    }
    this.activity$.next();
  }
  prepareEviction(_pages: Uint32Array, count: number): number {
    return count;
  }
  commitEviction(pages: Uint32Array, count: number, _bytes: Uint8Array, outcome: Uint8Array): void {
    for (let i = 0; i < count; i++) {
      if (outcome[i] !== EVICT_TRY) continue;
      this.resident[pages[i]!] = 0;
      outcome[i] = EVICT_DONE;
    }
  }
  abandonEviction(): void {}
}

const capabilities = (prefetch: boolean): BackendCapabilities => ({ maxBatch: 16, refusesEviction: false, accesses: 'none', dirtyTracking: false, zeroPages: false, startsAbsent: false, prefetch });

describe('the engine reads the backend capabilities', () => {
  it('with prefetch, a rising target and a graceful stop page in without faults', async () => {
    const backend = new FlagBackend(capabilities(true));
    const pager = createPager({ backend, policy: policyNamed('fifo'), store: memoryStore() });
    await pager.start();
    backend.target$.next(64);
    await pager.settle();
    expect(backend.residentPages()).toBe(64);
    backend.target$.next(128);
    await pager.settle();
    expect(backend.residentPages()).toBe(128);
    expect(backend.pageInRequests).toBeGreaterThan(0);
    expect((await pager.stop('graceful')).pagesOut).toBe(0);
    expect(backend.residentPages()).toBe(PAGES);
  });

  it('without prefetch, pages come back only on faults, and a graceful stop with pages out is refused', async () => {
    const backend = new FlagBackend(capabilities(false));
    const pager = createPager({ backend, policy: policyNamed('fifo'), store: memoryStore() });
    await pager.start();
    backend.target$.next(64);
    await pager.settle();
    backend.target$.next(PAGES);
    await pager.settle();
    expect(backend.residentPages()).toBe(64);
    expect(backend.pageInRequests).toBe(0);
    const error = await pager.stop('graceful').catch((e: unknown) => e);
    expect(isPagevisorError(error, 'PAGER_STATE') && error.message).toMatch(/cannot stop gracefully: 192 pages are out and backend flags cannot page in without a fault/);
    // Nothing changed: the application's faults still bring pages in, and a hard stop still works.
    const out = backend.resident.indexOf(0);
    backend.touch(out);
    await pager.settle();
    expect(backend.resident[out]).toBe(1);
    expect((await pager.stop('hard')).pagesOut).toBe(191);
  });
});

