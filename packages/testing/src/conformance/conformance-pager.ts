import { PAGE_PREFETCHED, PAGE_REMOVED, POPULATED, STORE_PAGE_BYTES, type FaultBatch, type PagingBackend } from '@pagevisor/core';
import { ConformanceFailure } from './conformance-case.js';

/** How long a guest access may take before the backend is said to have lost a fault or its answer. */
const ACCESS_DEADLINE_MS = 5000;

/**
 * The smallest pager the backend conformance suite needs: it holds the bytes of the pages it evicted,
 * drains the backend's fault records, populates the pages it holds, and completes every record, while
 * a guest access is under way. It checks each call's results against the port's contract as it goes.
 */
export class ConformancePager {
  /** The bytes of each page this pager evicted, until it comes back. */
  readonly out = new Map<number, Uint8Array>();
  /** Fault records seen (prefetches not counted), per page. */
  readonly faultsOn = new Map<number, number>();
  private readonly batch: FaultBatch;

  constructor(private readonly backend: PagingBackend) {
    const slots = backend.capabilities.maxBatch;
    this.batch = { pages: new Uint32Array(slots), flags: new Uint8Array(slots), who: new Int32Array(slots), ids: new Uint32Array(slots) };
  }

  /** Serves faults until `access` settles; fails if it takes longer than the deadline. */
  async serveUntil<T>(access: Promise<T>, what: string): Promise<T> {
    let settled = false;
    const watched = access.finally(() => {
      settled = true;
    });
    watched.catch(() => undefined);
    await this.serveWhile(() => !settled, what);
    return watched;
  }

  /**
   * Serves faults while `busy()` holds; fails if that lasts longer than the deadline.
   *
   * @param what - what is awaited, for the failure's message
   */
  async serveWhile(busy: () => boolean, what: string): Promise<void> {
    const deadline = Date.now() + ACCESS_DEADLINE_MS;
    while (busy()) {
      if ((await this.serveOnce()) === 0) await new Promise((resolve) => setTimeout(resolve, 1));
      if (busy() && Date.now() > deadline) {
        throw new ConformanceFailure(`${what} did not complete within ${ACCESS_DEADLINE_MS} ms: its fault was never reported, or completing it did not wake the guest`);
      }
    }
  }

  /** Serves one drain of fault records; returns how many there were. */
  async serveOnce(): Promise<number> {
    const { backend, batch } = this;
    const n = await backend.drainFaults(batch);
    const max = backend.capabilities.maxBatch;
    if (!Number.isInteger(n) || n < 0 || n > max) throw new ConformanceFailure(`drainFaults returned ${n}, not 0 to capabilities.maxBatch (${max})`);
    const listed: number[] = [];
    for (let i = 0; i < n; i++) {
      const page = batch.pages[i]!;
      if (page >= backend.pageCount) throw new ConformanceFailure(`drainFaults reported page ${page}, outside the page space of ${backend.pageCount}`);
      const flags = batch.flags[i]!;
      if ((flags & PAGE_REMOVED) !== 0) {
        this.out.delete(page);
        continue;
      }
      if ((flags & PAGE_PREFETCHED) === 0) this.faultsOn.set(page, (this.faultsOn.get(page) ?? 0) + 1);
      if (this.out.has(page) && !listed.includes(page)) listed.push(page);
    }
    if (listed.length > 0) await this.populate(listed);
    await backend.completeFaults(batch.ids, n);
    return n;
  }

  /** Populates pages this pager holds with their bytes; fails unless each is populated. */
  private async populate(listed: number[]): Promise<void> {
    const pages = Uint32Array.from(listed);
    const bytes = new Uint8Array(pages.length * STORE_PAGE_BYTES);
    pages.forEach((page, i) => bytes.set(this.out.get(page)!, i * STORE_PAGE_BYTES));
    const outcome = new Uint8Array(pages.length).fill(0xff);
    await this.backend.populate(pages, pages.length, bytes, outcome);
    pages.forEach((page, i) => {
      if (outcome[i] !== POPULATED) throw new ConformanceFailure(`populate of page ${page}, which the pager evicted, answered outcome ${outcome[i]}, not POPULATED`);
      this.out.delete(page);
    });
  }
}
