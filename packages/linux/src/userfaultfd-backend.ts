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
  PAGE_REMOVED,
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
import type { AccessSampler } from './access-sampler.js';
import { NATIVE_FAILED, NATIVE_OK, NATIVE_PRESENT, NATIVE_RETRY, NATIVE_WRITE, NATIVE_REMOVE, type NativeAddon } from './internal/native-addon.js';

/** Fault records per drain: one engine batch. */
const MAX_BATCH = 64;

/** What the backend knows of each page. */
const MISSING = 0; // never populated (or dropped by the application): its next fault is answered with zeros
const RESIDENT = 1;
const OUT = 2; // evicted: its bytes are in the store
const PREPARED = 3; // write-protected and copied out, between prepareEviction and commitEviction
const SNAPSHOT = 4; // a peer's page still in its snapshot file: its next fault is filled from there

/** A record id is the page index, with this bit for a record nobody waits on (a prefetch, a removal). */
const PREFETCH = 1 << 29;
const PAGE_MASK = PREFETCH - 1;

/**
 * What memory a {@link UserfaultfdBackend} pages: this process's own (a {@link PagedRegion}), or a
 * peer's adopted from a handshake (see {@link listenForPeers}).
 *
 * @example
 * ```ts
 * const memory: BackendMemory = { peer: true, snapshot: true, evictable: false };
 * ```
 */
export interface BackendMemory {
  /** Read-ahead on faults, if any. */
  readonly readAhead?: ReadAheadWindow;
  /** Another process's memory: at exit or a hard close with pages not in, the peer is killed rather than left hanging or reading zeros. */
  readonly peer?: boolean;
  /** Every page starts in a snapshot file the region maps, and its first fault is filled from there (default: pages start as zeros). */
  readonly snapshot?: boolean;
  /** Whether pages can be evicted (default true; a peer's memory only with its memfd). */
  readonly evictable?: boolean;
  /** Access sampling, for a region the addon made with minor faults (own memory in a memfd). */
  readonly sampler?: AccessSampler;
}

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
 * - Access sampling (a region opened with `sampling`): the region is a memfd, read with `pread` and
 *   dropped with a punch-hole; a hand soft-evicts resident pages now and then, and their minor faults
 *   are answered natively and drained as accesses (`drainAccesses`).
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
  readonly capabilities: BackendCapabilities;
  private readonly activity = new Subject<void>();
  private readonly target: BehaviorSubject<number>;
  private readonly state: Uint8Array;
  /** Per page: 0 while it holds exactly what the store gave it (populated write-protected, never written since). */
  private readonly dirty: Uint8Array;
  private resident = 0;
  /** Whether a hard close with pages out discarded the region (own memory) or killed the peer. */
  discarded = false;
  /** Set when the peer whose memory this is has exited (its records drained): the backend serves nothing more. */
  peerExited = false;
  private readonly exited = new Subject<void>();
  /** Records to give the engine with the next drain: removals found mid-eviction, fills the kernel answered EAGAIN. */
  private deferred: number[] = [];
  /** Per page: 1 while a removal waits for the eviction in flight to end. */
  private readonly removedInFlight: Uint8Array;
  /** Removed pages to free again after this drain. */
  private readonly redrop: number[] = [];
  private readonly readAhead: ReadAheadWindow | undefined;
  /** Whether pages can be evicted: a peer's memory without its memfd cannot. */
  readonly evictable: boolean;
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
  private scratchC = new Uint32Array(MAX_BATCH);
  private scratchD = new Uint32Array(MAX_BATCH);

  /**
   * @internal use {@link openPagedRegion}
   * @param native - the addon
   * @param id - the region's id in the addon
   * @param pageCount - pages in the region
   * @param memoryName - names the memory in stores' defaults
   * @param target - the pages to keep resident at first
   * @param memory - what memory it is (default: this process's, pages starting as zeros)
   */
  constructor(
    private readonly native: NativeAddon,
    private readonly id: number,
    pageCount: number,
    readonly memoryName: string,
    target: number,
    private readonly memory: BackendMemory = {},
  ) {
    this.pageCount = pageCount;
    this.readAhead = memory.readAhead;
    this.evictable = memory.evictable ?? true;
    // Pages come in write-protected, so the first write after a page-in faults once and marks it dirty.
    this.capabilities = { maxBatch: MAX_BATCH, refusesEviction: true, accesses: memory.sampler === undefined ? 'none' : 'sampled', dirtyTracking: this.evictable, zeroPages: true, startsAbsent: true, prefetch: true };
    this.dirty = new Uint8Array(pageCount).fill(1);
    this.state = new Uint8Array(pageCount).fill(memory.snapshot === true ? SNAPSHOT : MISSING);
    this.prefetch = new Uint32Array(pageCount);
    this.queued = new Uint8Array(pageCount);
    this.removedInFlight = new Uint8Array(pageCount);
    this.target = new BehaviorSubject(this.evictable ? target : pageCount);
  }

  /** Emits once when the peer whose memory this is exits. */
  get peerExited$(): Observable<void> {
    return this.exited.asObservable();
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
    if (!this.evictable && pages < this.pageCount) throw new LinuxError('LINUX_STATE', `${this.memoryName} cannot be evicted: a peer's memory can be paged out only when the peer sends its memfd`);
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
    this.memory.sampler?.start(this.native, this.id, this.state, RESIDENT);
    this.opened = true;
    process.on('exit', this.releaseAtExit);
  }

  /**
   * At `process.exit()` the thread that serves the faults stops serving, and Node waits for every
   * Worker: one blocked in a fault would wait for ever. So the range is unregistered first, and a thread
   * that was waiting runs on into the exit (with a zero page where a page was out: the process is
   * ending, and the pages out stay in the store). A peer's memory is another matter: the peer lives on,
   * so with pages not in it is killed instead of reading zeros where its pages were.
   */
  private readonly releaseAtExit = (): void => {
    if (this.closed || this.peerExited) return;
    if (this.memory.peer === true && this.pagesNotIn() > 0) this.native.kill(this.id);
    else this.native.release(this.id);
  };

  residentPages(): number {
    return this.resident;
  }

  drainAccesses(into: Uint32Array): number {
    const sampler = this.memory.sampler;
    return sampler === undefined || this.closed ? 0 : sampler.drain(this.native, this.id, into);
  }

  /** Pages soft-evicted by access sampling since the region opened (0 without sampling). */
  get pagesSampled(): number {
    return this.memory.sampler?.soft ?? 0;
  }

  drainFaults(into: FaultBatch): number {
    const max = Math.min(MAX_BATCH, into.pages.length);
    let k = this.drainDeferred(into, max);
    const n = this.peerExited ? 0 : this.drainNative(into, k, max);
    const readAhead = this.readAhead;
    for (let i = k; i < k + n; i++) {
      const flags = into.flags[i]!;
      const page = into.pages[i]!;
      if ((flags & NATIVE_REMOVE) !== 0) {
        this.remove(page, into, i);
        continue;
      }
      const state = this.state[page]!;
      into.ids[i] = page;
      into.flags[i] = ((flags & NATIVE_WRITE) !== 0 ? FAULT_WRITE : 0) | (state === MISSING || state === SNAPSHOT ? FAULT_ABSENT : 0);
      if ((flags & NATIVE_WRITE) !== 0 && state === RESIDENT) this.dirty[page] = 1; // its first write since it came in
      if (readAhead !== undefined && state === OUT) this.queueAfter(page, readAhead.next(page));
    }
    k += n;
    if (this.redrop.length > 0) this.dropAgain();
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

  /** The native queue's records into `into` from `at`; none once the peer has exited (then it says so, once). */
  private drainNative(into: FaultBatch, at: number, max: number): number {
    const { pages, flags, who } = into;
    const view = at === 0 ? into : { pages: pages.subarray(at), flags: flags.subarray(at), who: who.subarray(at) };
    try {
      return this.native.drain(this.id, view.pages, view.flags, view.who, max - at);
    } catch (error) {
      if ((error as { code?: string }).code !== 'UFFD_PEER_GONE') throw error;
      this.peerExited = true;
      queueMicrotask(() => this.exited.next());
      return 0;
    }
  }

  /** Frees again the removed pages a copy brought back (see remove): a punch-hole in the peer's memfd. */
  private dropAgain(): void {
    const pages = Uint32Array.from(this.redrop);
    this.redrop.length = 0;
    this.native.drop(this.id, pages, pages.length);
  }

  /** Records deferred from earlier calls (removals, fills to retry) into `into`; returns how many. */
  private drainDeferred(into: FaultBatch, max: number): number {
    if (this.deferred.length === 0) return 0;
    const take = this.deferred.splice(0, max);
    for (let i = 0; i < take.length; i++) {
      const id = take[i]!;
      const page = id & PAGE_MASK;
      const removal = (id & PREFETCH) !== 0;
      into.pages[i] = page;
      into.who[i] = -1;
      into.ids[i] = id;
      into.flags[i] = removal ? PAGE_REMOVED : FAULT_ABSENT;
    }
    return take.length;
  }

  /**
   * The peer gave `page` back (a REMOVE event: a balloon's `MADV_DONTNEED`): it is forgotten, and its
   * next fault reads zeros. Record `i` becomes a removal for the engine, which deletes the store's copy
   * of a page out. A page mid-eviction is removed once the eviction ends (see commitEviction).
   */
  private remove(page: number, into: FaultBatch, i: number): void {
    const state = this.state[page]!;
    into.flags[i] = PAGE_REMOVED;
    into.who[i] = -1;
    into.ids[i] = page | PREFETCH;
    // The kernel frees the page once the reader thread has read the event, which may be before a copy
    // this thread made meanwhile (a prefetch, records drained earlier): such a copy brought the page
    // back. So a page resident here is freed again (a punch-hole in the peer's memfd; a no-op if the
    // kernel's was the last word). A peer without a memfd cannot be freed by the handler: a copy that
    // races its balloon leaves the page resident (and uncounted) until the peer drops it again.
    if (state === RESIDENT && this.memory.peer === true && this.evictable) this.redrop.push(page);
    if (state === PREPARED) {
      this.removedInFlight[page] = 1;
      return;
    }
    if (state === RESIDENT) this.resident--;
    this.state[page] = MISSING;
  }

  populate(pages: Uint32Array, count: number, bytes: Uint8Array, outcome: Uint8Array): void {
    this.fit(count);
    const got = this.nativeOutcome;
    const tracking = this.capabilities.dirtyTracking;
    this.native.copy(this.id, pages, count, bytes, got, tracking);
    for (let i = 0; i < count; i++) {
      const page = pages[i]!;
      const result = got[i]!;
      if (result === NATIVE_OK || result === NATIVE_PRESENT) {
        if (this.state[page] !== RESIDENT) this.resident++;
        this.state[page] = RESIDENT;
        // Copied write-protected, it holds the store's bytes until its first write. One that was
        // there already (EEXIST) holds what it holds.
        this.dirty[page] = result === NATIVE_OK && tracking ? 0 : 1;
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
    const fill = this.scratchA;
    const unprotect = this.scratchB;
    const wake = this.scratchC;
    let fills = 0;
    let unprotects = 0;
    let wakes = 0;
    for (let i = 0; i < count; i++) {
      const id = ids[i]!;
      if ((id & PREFETCH) !== 0) continue;
      const page = id & PAGE_MASK;
      const state = this.state[page]!;
      if (state === MISSING || state === SNAPSHOT) {
        // A first touch (or a page dropped or removed): zeros, or the snapshot's bytes.
        fill[fills++] = page;
      } else if (state === RESIDENT && this.dirty[page] === 1) {
        // A write to a write-protected page (drainFaults marked it dirty), or a duplicate: releasing
        // the protection wakes whoever waits.
        unprotect[unprotects++] = page;
      } else if (state === RESIDENT) {
        // A read that raced the copy bringing the page in: woken already, or woken now; the page stays
        // write-protected, so its first write is still seen.
        wake[wakes++] = page;
      }
    }
    if (fills > 0) this.fillPages(fill, fills);
    // Releasing write protection wakes a waiting writer; on a page not protected it only wakes.
    if (unprotects > 0) this.native.protect(this.id, unprotect, unprotects, false);
    if (wakes > 0) this.native.wake(this.id, wake, wakes);
  }

  /**
   * Fills pages on their first fault: zeros (`UFFDIO_ZEROPAGE`), or the snapshot's bytes. A page the
   * kernel answers EAGAIN for (the peer's mappings changing: a removal is queued) stays as it was and
   * is tried again with the next drain, its faulting thread still waiting.
   */
  private fillPages(pages: Uint32Array, count: number): void {
    const got = this.nativeOutcome;
    const snapshot = this.scratchD;
    let fromSnapshot = 0;
    let zeros = 0;
    for (let i = 0; i < count; i++) {
      const page = pages[i]!;
      if (this.state[page] === SNAPSHOT) snapshot[fromSnapshot++] = page;
      else pages[zeros++] = page;
    }
    if (zeros > 0) {
      this.native.zero(this.id, pages, zeros, got);
      this.filled(pages, zeros, got, 'UFFDIO_ZEROPAGE');
    }
    if (fromSnapshot > 0) {
      this.native.fill(this.id, snapshot, fromSnapshot, got);
      this.filled(snapshot, fromSnapshot, got, 'UFFDIO_COPY from the snapshot');
    }
  }

  private filled(pages: Uint32Array, count: number, got: Uint8Array, what: string): void {
    let retries = 0;
    for (let i = 0; i < count; i++) {
      const page = pages[i]!;
      if (got[i] === NATIVE_OK || got[i] === NATIVE_PRESENT) {
        // A page faulted twice in one batch is listed twice: counted once (found by the policies test).
        if (this.state[page] !== RESIDENT) this.resident++;
        this.state[page] = RESIDENT;
        this.dirty[page] = 1; // no store holds these bytes
      } else if (got[i] === NATIVE_RETRY) {
        this.deferred.push(page);
        retries++;
      } else {
        throw new LinuxError('LINUX_SYSCALL', `${what} of page ${page} of ${this.memoryName} failed`);
      }
    }
    if (retries > 0) setImmediate(() => this.activity.next());
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

  prepareEviction(pages: Uint32Array, count: number, bytes: Uint8Array, clean?: Uint8Array): number {
    if (!this.evictable) return 0;
    this.fit(count);
    // Resident pages written since they came in first, then the clean ones (given `clean`: the store
    // holds their bytes, so they are not copied), then the refused (they left memory without the pager).
    const cleanPages = this.scratchA;
    const refused = this.scratchB;
    let d = 0;
    let c = 0;
    let r = 0;
    for (let i = 0; i < count; i++) {
      const page = pages[i]!;
      if (this.state[page] !== RESIDENT) refused[r++] = page;
      else if (clean !== undefined && this.dirty[page] === 0) cleanPages[c++] = page;
      else pages[d++] = page;
    }
    for (let i = 0; i < c; i++) pages[d + i] = cleanPages[i]!;
    for (let i = 0; i < r; i++) pages[d + c + i] = refused[i]!;
    if (d + c === 0) return 0;
    this.native.protect(this.id, pages, d + c, true);
    const got = this.nativeOutcome;
    this.native.readOut(this.id, pages, d, bytes, got);
    let prepared = 0;
    let gone = 0;
    const missing = this.scratchC;
    for (let i = 0; i < d; i++) {
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
    for (let i = 0; i < c; i++) {
      const page = cleanPages[i]!;
      pages[prepared] = page;
      clean![prepared++] = 1;
      this.state[page] = PREPARED;
    }
    if (gone > 0) {
      // Not there any more (the application dropped them): release, and answer their next fault with zeros.
      this.native.protect(this.id, missing, gone, false);
      for (let i = 0; i < gone; i++) {
        this.state[missing[i]!] = MISSING;
        this.resident--;
      }
      for (let i = 0; i < gone; i++) pages[prepared + i] = missing[i]!;
      for (let i = 0; i < r; i++) pages[prepared + gone + i] = refused[i]!;
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
        this.memory.sampler?.forget(page);
        // A page of zeros has no copy anywhere: its next fault is a first touch again.
        this.state[page] = outcome[i] === EVICT_ZERO ? MISSING : OUT;
        this.resident--;
        if (this.removedInFlight[page] === 1) this.removedDuringEviction(page, outcome[i] === EVICT_TRY);
        outcome[i] = EVICT_DONE;
      } else if (outcome[i] === EVICT_SKIP) {
        back[backs++] = page;
        this.state[page] = RESIDENT;
        this.dirty[page] = 1; // unprotected below: its writes are not seen any more
        if (this.removedInFlight[page] === 1) this.removedDuringEviction(page, false);
      }
    }
    if (drops > 0) this.native.drop(this.id, drop, drops);
    if (backs > 0) this.native.protect(this.id, back, backs, false);
  }

  abandonEviction(pages: Uint32Array, count: number): void {
    for (let i = 0; i < count; i++) {
      const page = pages[i]!;
      this.state[page] = RESIDENT;
      this.dirty[page] = 1; // unprotected below: its writes are not seen any more
      if (this.removedInFlight[page] === 1) this.removedDuringEviction(page, false);
    }
    this.native.protect(this.id, pages, count, false);
  }

  /**
   * The peer removed `page` while it was being evicted: it is missing now, whatever the eviction did.
   * If the store took a copy, the engine hears of the removal with the next drain, and deletes it.
   */
  private removedDuringEviction(page: number, stored: boolean): void {
    this.removedInFlight[page] = 0;
    if (this.state[page] === RESIDENT) this.resident--;
    this.state[page] = MISSING;
    if (stored) {
      this.deferred.push(page | PREFETCH);
      queueMicrotask(() => this.activity.next());
    }
  }

  close(mode: 'graceful' | 'hard'): void {
    if (this.closed) return;
    this.closed = true;
    this.memory.sampler?.stop();
    process.off('exit', this.releaseAtExit);
    if (this.memory.peer === true && mode === 'graceful') this.fillSnapshot();
    const notIn = this.pagesNotIn();
    if (this.memory.peer === true) {
      // Never leave the peer waiting on a fault nobody serves, nor reading zeros where a page was out.
      if (notIn > 0 && !this.peerExited) this.native.kill(this.id);
      else if (!this.peerExited) this.native.release(this.id);
      this.native.close(this.id);
    } else if (mode === 'graceful' || notIn === 0) {
      this.native.release(this.id);
    } else {
      this.native.close(this.id); // pages out: discard the region rather than let them read as zeros
    }
    this.discarded = notIn > 0 && !this.peerExited;
    this.activity.complete();
    this.target.complete();
    this.exited.complete();
  }

  /** Pages whose bytes are not in memory: out in the store, or still in the snapshot. */
  private pagesNotIn(): number {
    let count = 0;
    for (let page = 0; page < this.pageCount; page++) if (this.state[page] === OUT || this.state[page] === SNAPSHOT) count++;
    return count;
  }

  /** A graceful stop brings the pages still in the snapshot in too, a batch at a time. */
  private fillSnapshot(): void {
    const batch = new Uint32Array(1024);
    const got = new Uint8Array(batch.length);
    for (let page = 0; page < this.pageCount; ) {
      let n = 0;
      for (; page < this.pageCount && n < batch.length; page++) if (this.state[page] === SNAPSHOT) batch[n++] = page;
      if (n === 0) continue;
      this.native.fill(this.id, batch, n, got);
      for (let i = 0; i < n; i++) {
        if (got[i] !== NATIVE_OK && got[i] !== NATIVE_PRESENT) continue; // left in the snapshot: the close kills the peer
        this.state[batch[i]!] = RESIDENT;
        this.resident++;
      }
    }
  }

  private fit(count: number): void {
    if (count <= this.scratchA.length) return;
    this.nativeOutcome = new Uint8Array(count);
    this.scratchA = new Uint32Array(count);
    this.scratchB = new Uint32Array(count);
    this.scratchC = new Uint32Array(count);
    this.scratchD = new Uint32Array(count);
  }
}
