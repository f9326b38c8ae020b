import { BehaviorSubject, Subject, type Observable } from 'rxjs';
import {
  EVICT_DONE,
  EVICT_SKIP,
  EVICT_TRY,
  EVICT_ZERO,
  FAULT_ABSENT,
  FAULT_WRITE,
  PAGE_BYTES,
  PAGE_IN_GONE,
  PAGE_IN_REQUESTED,
  PAGE_PREFETCHED,
  POPULATED,
  POPULATE_NO_MEMORY,
  type BackendCapabilities,
  type BackendInfo,
  type FaultBatch,
  type PagingBackend,
} from '@pagevisor/core';
import { threadId } from 'node:worker_threads';
import { LinuxError } from './linux-error.js';
import type { ReadAheadWindow } from './read-ahead.js';
import { NATIVE_FAILED, NATIVE_OK, NATIVE_PRESENT, NATIVE_RETRY, type NativeAddon } from './internal/native-addon.js';

/** Fault records per drain: one engine batch. */
const MAX_BATCH = 64;
/** Retries of a zero-fill the kernel answers EAGAIN (its mapping changing under it) before giving up. */
const ZERO_RETRIES = 100;

/** What the backend knows of each page. */
const MISSING = 0; // never populated (or dropped by the application): its next fault is answered with zeros
const RESIDENT = 1;
const OUT = 2; // evicted: its bytes are in the store
const PREPARED = 3; // write-protected and copied out, between prepareEviction and commitEviction

/** A record id is the page index, with this bit for a page-in the engine asked for (prefetch, graceful stop): nobody waits on it. */
const PREFETCH = 1 << 29;
const PAGE_MASK = PREFETCH - 1;

/**
 * The paging backend of a {@link PagedRegion}: userfaultfd on a region of this process.
 *
 * @remarks
 * - Faults: the kernel reports a missing page (never touched, or evicted) or a write to a
 *   write-protected one; a native reader thread queues them and wakes the pager's thread.
 * - Populate: `UFFDIO_COPY` of the store's bytes, one ioctl per run of consecutive pages; it wakes
 *   whoever waits. A first touch of a page never evicted is answered with `UFFDIO_ZEROPAGE`: zero
 *   pages never come from, or go to, a store.
 * - Evict: write-protect (a write in the window waits instead of being lost), copy out with
 *   `process_vm_readv` (a page that is not there fails instead of faulting the pager's thread), and,
 *   once the store holds the copy, `MADV_DONTNEED` and a wake (a waiting writer faults again and gets
 *   the stored page).
 * - Prefetch: `requestPageIn` queues records nobody waits on, drained with the next faults; so does
 *   the region's read-ahead, for the pages out after a faulting one.
 * - Close: `graceful` (every page in) unregisters the range: the region stays as plain memory. `hard`
 *   with pages out discards the region: its memory is unmapped and any later access faults (SIGSEGV),
 *   never a silent zero page; the pages stay in the store.
 *
 * @example
 * ```ts
 * const region = openPagedRegion({ pages: 4096, target: 1024 });
 * const pager = createPager({ backend: region.backend, policy: clock(), store: memoryStore() });
 * await pager.start();
 * ```
 */
export class UserfaultfdBackend implements PagingBackend {
  readonly pageCount: number;
  readonly capabilities: BackendCapabilities = { maxBatch: MAX_BATCH, refusesEviction: true, accesses: 'none', dirtyTracking: false, zeroPages: true, startsAbsent: true, prefetch: true };
  private readonly activity = new Subject<void>();
  private readonly target: BehaviorSubject<number>;
  private readonly state: Uint8Array;
  private resident = 0;
  /** Whether a hard close with pages out discarded the region. */
  discarded = false;
  private opened = false;
  private closed = false;
  /** Page-ins asked for and not yet drained; `queued[page]` is 1 while listed. */
  private readonly prefetch: Uint32Array;
  private readonly queued: Uint8Array;
  private prefetchHead = 0;
  private prefetchCount = 0;
  /** Per-call buffers, grown to the largest batch seen. */
  private nativeOutcome = new Uint8Array(MAX_BATCH);
  private scratchA = new Uint32Array(MAX_BATCH);
  private scratchB = new Uint32Array(MAX_BATCH);

  /**
   * @internal use {@link openPagedRegion}
   * @param native - the addon
   * @param id - the region's id in the addon
   * @param pageCount - pages in the region
   * @param memoryName - names the memory in stores' defaults
   * @param target - the pages to keep resident at first
   * @param readAhead - the read-ahead window, if any
   */
  constructor(
    private readonly native: NativeAddon,
    private readonly id: number,
    pageCount: number,
    readonly memoryName: string,
    target: number,
    private readonly readAhead?: ReadAheadWindow,
  ) {
    this.pageCount = pageCount;
    this.state = new Uint8Array(pageCount);
    this.prefetch = new Uint32Array(pageCount);
    this.queued = new Uint8Array(pageCount);
    this.target = new BehaviorSubject(target);
  }

  get info(): BackendInfo | undefined {
    return this.opened ? { name: 'userfaultfd' } : undefined;
  }

  get activity$(): Observable<void> {
    return this.activity.asObservable();
  }

  get target$(): Observable<number> {
    return this.target.asObservable();
  }

  /** The pages to keep resident now. */
  get targetPages(): number {
    return this.target.value;
  }

  /**
   * Sets the pages to keep resident (0 or above the region's size: all of them).
   *
   * @throws {@link LinuxError} `LINUX_ARGUMENT` for a count that is not a non-negative integer
   */
  setTarget(pages: number): void {
    if (!Number.isInteger(pages) || pages < 0) throw new LinuxError('LINUX_ARGUMENT', `a target is a whole number of pages, not ${pages}`);
    this.target.next(pages);
  }

  /**
   * Starts serving the region's faults on the calling thread, which must never touch the region.
   *
   * @throws {@link LinuxError} `LINUX_STATE` when already open or closed
   */
  open(): void {
    if (this.opened || this.closed) throw new LinuxError('LINUX_STATE', `the region ${this.memoryName} is ${this.closed ? 'closed' : 'already served'}`);
    this.native.start(this.id, () => this.activity.next(), threadId);
    this.opened = true;
    process.on('exit', this.releaseAtExit);
  }

  /**
   * At `process.exit()` the thread that serves the faults stops serving, and Node waits for every
   * Worker: one blocked in a fault would wait for ever. So the range is unregistered first, and a thread
   * that was waiting runs on into the exit (with a zero page where a page was out: the process is
   * ending, and the pages out stay in the store).
   */
  private readonly releaseAtExit = (): void => {
    if (!this.closed) this.native.release(this.id);
  };

  residentPages(): number {
    return this.resident;
  }

  drainFaults(into: FaultBatch): number {
    const max = Math.min(MAX_BATCH, into.pages.length);
    const n = this.native.drain(this.id, into.pages, into.flags, into.who, max);
    const readAhead = this.readAhead;
    for (let i = 0; i < n; i++) {
      const flags = into.flags[i]!;
      const page = into.pages[i]!;
      const state = this.state[page]!;
      into.ids[i] = page;
      into.flags[i] = ((flags & 1) !== 0 ? FAULT_WRITE : 0) | (state === MISSING ? FAULT_ABSENT : 0);
      if (readAhead !== undefined && state === OUT) this.queueAfter(page, readAhead.next(page));
    }
    let k = n;
    while (k < max && this.prefetchCount > 0) {
      const page = this.prefetch[this.prefetchHead]!;
      this.prefetchHead = (this.prefetchHead + 1) % this.pageCount;
      this.prefetchCount--;
      this.queued[page] = 0;
      if (this.state[page] !== OUT) continue; // it came in on a fault meanwhile
      into.pages[k] = page;
      into.flags[k] = PAGE_PREFETCHED;
      into.who[k] = -1;
      into.ids[k] = page | PREFETCH;
      k++;
    }
    return k;
  }

  populate(pages: Uint32Array, count: number, bytes: Uint8Array, outcome: Uint8Array): void {
    this.fit(count);
    const got = this.nativeOutcome;
    this.native.copy(this.id, pages, count, bytes, got);
    for (let i = 0; i < count; i++) {
      const page = pages[i]!;
      const result = got[i]!;
      if (result === NATIVE_OK || result === NATIVE_PRESENT) {
        if (this.state[page] !== RESIDENT) this.resident++;
        this.state[page] = RESIDENT;
        outcome[i] = POPULATED;
      } else if (result === NATIVE_RETRY) {
        outcome[i] = POPULATE_NO_MEMORY; // the mapping is changing: the engine tries again shortly
      } else {
        throw new LinuxError('LINUX_SYSCALL', `UFFDIO_COPY of page ${page} of ${this.memoryName} failed`);
      }
    }
  }

  completeFaults(ids: Uint32Array, count: number): void {
    this.fit(count);
    const zero = this.scratchA;
    const unprotect = this.scratchB;
    let zeros = 0;
    let unprotects = 0;
    for (let i = 0; i < count; i++) {
      const id = ids[i]!;
      if ((id & PREFETCH) !== 0) continue;
      const page = id & PAGE_MASK;
      const state = this.state[page]!;
      if (state === MISSING) {
        // A first touch (or a page the application dropped itself): anonymous memory reads as zeros.
        this.state[page] = RESIDENT;
        this.resident++;
        zero[zeros++] = page;
      } else if (state === RESIDENT) {
        // A write to a write-protected page, one populated already (woken by the copy), or a duplicate:
        // releasing the protection wakes whoever waits.
        unprotect[unprotects++] = page;
      }
    }
    if (zeros > 0) this.zeroFill(zero, zeros);
    // Releasing write protection wakes a waiting writer; on a page not protected it only wakes.
    if (unprotects > 0) this.native.protect(this.id, unprotect, unprotects, false);
  }

  requestPageIn(pages: Uint32Array, count: number, outcome: Uint8Array): void {
    let requested = 0;
    for (let i = 0; i < count; i++) {
      const page = pages[i]!;
      if (this.state[page] !== OUT) {
        outcome[i] = PAGE_IN_GONE;
        continue;
      }
      outcome[i] = PAGE_IN_REQUESTED;
      if (this.enqueue(page)) requested++;
    }
    if (requested > 0) queueMicrotask(() => this.activity.next());
  }

  /** Lists a page for prefetch unless it is listed already; true if it was not. */
  private enqueue(page: number): boolean {
    if (this.queued[page] === 1) return false;
    this.queued[page] = 1;
    this.prefetch[(this.prefetchHead + this.prefetchCount) % this.pageCount] = page;
    this.prefetchCount++;
    return true;
  }

  /** Read-ahead: lists the run of pages out that follows `page`, at most `window` of them. */
  private queueAfter(page: number, window: number): void {
    const end = Math.min(this.pageCount, page + 1 + window);
    for (let p = page + 1; p < end && this.state[p] === OUT; p++) this.enqueue(p);
  }

  prepareEviction(pages: Uint32Array, count: number, bytes: Uint8Array): number {
    this.fit(count);
    // Resident pages first, the others refused at the end (they left memory without the pager).
    let k = 0;
    const refused = this.scratchA;
    let r = 0;
    for (let i = 0; i < count; i++) {
      const page = pages[i]!;
      if (this.state[page] === RESIDENT) pages[k++] = page;
      else refused[r++] = page;
    }
    for (let i = 0; i < r; i++) pages[k + i] = refused[i]!;
    if (k === 0) return 0;
    this.native.protect(this.id, pages, k, true);
    const got = this.nativeOutcome;
    this.native.readOut(this.id, pages, k, bytes, got);
    let prepared = 0;
    let gone = 0;
    const missing = this.scratchB;
    for (let i = 0; i < k; i++) {
      const page = pages[i]!;
      if (got[i] !== NATIVE_OK) {
        missing[gone++] = page;
        continue;
      }
      if (prepared !== i) {
        pages[prepared] = page;
        bytes.copyWithin(prepared * PAGE_BYTES, i * PAGE_BYTES, (i + 1) * PAGE_BYTES);
      }
      this.state[page] = PREPARED;
      prepared++;
    }
    if (gone > 0) {
      // Not there any more (the application dropped them): release, and answer their next fault with zeros.
      this.native.protect(this.id, missing, gone, false);
      for (let i = 0; i < gone; i++) {
        this.state[missing[i]!] = MISSING;
        this.resident--;
      }
      for (let i = 0; i < r; i++) missing[gone + i] = pages[k + i]!;
      for (let i = 0; i < gone + r; i++) pages[prepared + i] = missing[i]!;
    }
    return prepared;
  }

  commitEviction(pages: Uint32Array, count: number, _bytes: Uint8Array, outcome: Uint8Array): void {
    this.fit(count);
    const drop = this.scratchA;
    const back = this.scratchB;
    let drops = 0;
    let backs = 0;
    for (let i = 0; i < count; i++) {
      const page = pages[i]!;
      if (outcome[i] === EVICT_TRY || outcome[i] === EVICT_ZERO) {
        drop[drops++] = page;
        // A page of zeros has no copy anywhere: its next fault is a first touch again.
        this.state[page] = outcome[i] === EVICT_ZERO ? MISSING : OUT;
        this.resident--;
        outcome[i] = EVICT_DONE;
      } else if (outcome[i] === EVICT_SKIP) {
        back[backs++] = page;
        this.state[page] = RESIDENT;
      }
    }
    if (drops > 0) this.native.drop(this.id, drop, drops);
    if (backs > 0) this.native.protect(this.id, back, backs, false);
  }

  abandonEviction(pages: Uint32Array, count: number): void {
    for (let i = 0; i < count; i++) this.state[pages[i]!] = RESIDENT;
    this.native.protect(this.id, pages, count, false);
  }

  close(mode: 'graceful' | 'hard'): void {
    if (this.closed) return;
    this.closed = true;
    process.off('exit', this.releaseAtExit);
    let out = 0;
    for (let page = 0; page < this.pageCount; page++) if (this.state[page] === OUT) out++;
    if (mode === 'graceful' || out === 0) this.native.release(this.id);
    else this.native.close(this.id); // pages out: discard the region rather than let them read as zeros
    this.discarded = mode === 'hard' && out > 0;
    this.activity.complete();
    this.target.complete();
  }

  private fit(count: number): void {
    if (count <= this.scratchA.length) return;
    this.nativeOutcome = new Uint8Array(count);
    this.scratchA = new Uint32Array(count);
    this.scratchB = new Uint32Array(count);
  }

  private zeroFill(pages: Uint32Array, count: number): void {
    const got = this.nativeOutcome;
    for (let attempt = 0; ; attempt++) {
      this.native.zero(this.id, pages, count, got);
      let again = 0;
      for (let i = 0; i < count; i++) {
        if (got[i] === NATIVE_RETRY) pages[again++] = pages[i]!;
        else if (got[i] === NATIVE_FAILED) throw new LinuxError('LINUX_SYSCALL', `UFFDIO_ZEROPAGE of page ${pages[i]} of ${this.memoryName} failed`);
      }
      if (again === 0) return;
      if (attempt >= ZERO_RETRIES) throw new LinuxError('LINUX_SYSCALL', `UFFDIO_ZEROPAGE of ${again} pages of ${this.memoryName} kept answering EAGAIN`);
      count = again;
    }
  }
}
