import type { Observable } from 'rxjs';

/**
 * A fault record's flags ({@link FaultBatch.flags}) when none is set: a read fault by the guest.
 *
 * @example
 * ```ts
 * if (batch.flags[i] === FAULT_READ) console.log('the guest read', batch.pages[i]);
 * ```
 */
export const FAULT_READ = 0;
/**
 * The access was a write.
 *
 * @example
 * ```ts
 * const write = (batch.flags[i]! & FAULT_WRITE) !== 0;
 * ```
 */
export const FAULT_WRITE = 1 << 0;
/**
 * The page was removed from the guest (Xen's DROP_PAGE, userfaultfd's `EVENT_REMOVE`): the pager
 * forgets it and deletes its copy; nothing waits on it.
 *
 * @example
 * ```ts
 * if (batch.flags[i]! & PAGE_REMOVED) console.log('page', batch.pages[i], 'left the guest');
 * ```
 */
export const PAGE_REMOVED = 1 << 1;
/**
 * Someone other than the guest's own vcpus or threads touched the page (Xen's FOREIGN).
 *
 * @example
 * ```ts
 * if (batch.flags[i]! & FAULT_FOREIGN) console.log('a backend or the hypervisor touched', batch.pages[i]);
 * ```
 */
export const FAULT_FOREIGN = 1 << 2;

/**
 * The page was absent (never touched, or evicted as a page of zeros): the backend fills it with zeros
 * when it completes the record, and no store holds a copy. Only backends with
 * {@link BackendCapabilities.startsAbsent} or {@link BackendCapabilities.zeroPages} report it.
 *
 * @example
 * ```ts
 * if (batch.flags[i]! & FAULT_ABSENT) console.log('first touch of', batch.pages[i]);
 * ```
 */
export const FAULT_ABSENT = 1 << 3;

/**
 * Nobody faulted on the page: the backend's own read-ahead, or a page-in the engine asked for with
 * {@link PagingBackend.requestPageIn}. The engine pages it in like a fault, counts it in
 * `stats.prefetched` instead of `stats.faults`, and tells the policy it came in
 * without an access. Nothing waits on the record.
 *
 * @example
 * ```ts
 * if (batch.flags[i]! & PAGE_PREFETCHED) console.log('read ahead', batch.pages[i]);
 * ```
 */
export const PAGE_PREFETCHED = 1 << 4;

/**
 * Faults a backend reports, as parallel typed arrays the engine allocates once and the backend fills.
 *
 * @example
 * ```ts
 * const n = backend.drainFaults(batch);
 * for (let i = 0; i < n; i++) console.log(batch.pages[i], batch.flags[i], batch.who[i]);
 * ```
 */
export interface FaultBatch {
  /** The page each record is about: an index into the backend's page space (Xen: the gfn). */
  readonly pages: Uint32Array;
  /** {@link FAULT_WRITE}, {@link PAGE_REMOVED}, {@link FAULT_FOREIGN}, {@link FAULT_ABSENT}, {@link PAGE_PREFETCHED}. */
  readonly flags: Uint8Array;
  /** Who faulted: a vcpu or thread id, or the foreign caller's own (-1 when unknown). */
  readonly who: Int32Array;
  /**
   * The backend's handle for the record, given back in {@link PagingBackend.completeFaults} to wake whoever
   * waits (Xen: its slot in the backend's table of unanswered requests).
   */
  readonly ids: Uint32Array;
}

/**
 * Per-page outcome of {@link PagingBackend.populate}: the page holds its content again.
 *
 * @example
 * ```ts
 * if (outcome[i] === POPULATED) console.log(pages[i], 'is back');
 * ```
 */
export const POPULATED = 0;
/**
 * No memory to populate the page now (Xen's ENOMEM): the engine keeps it out and tries again later.
 *
 * @example
 * ```ts
 * if (outcome[i] === POPULATE_NO_MEMORY) console.log('retry', pages[i], 'later');
 * ```
 */
export const POPULATE_NO_MEMORY = 1;
/**
 * The page is no longer one to populate (it left the guest; its removal follows): the engine keeps
 * its copy until the removal arrives.
 *
 * @example
 * ```ts
 * if (outcome[i] === POPULATE_GONE) console.log(pages[i], 'was removed meanwhile');
 * ```
 */
export const POPULATE_GONE = 2;

/**
 * Per-page outcome of {@link PagingBackend.requestPageIn}: its fault record will come round.
 *
 * @example
 * ```ts
 * if (outcome[i] === PAGE_IN_REQUESTED) console.log(pages[i], 'is on its way in');
 * ```
 */
export const PAGE_IN_REQUESTED = 0;
/**
 * The page is not paged out any more (its removal was lost): the engine forgets it.
 *
 * @example
 * ```ts
 * if (outcome[i] === PAGE_IN_GONE) console.log(pages[i], 'is not out any more');
 * ```
 */
export const PAGE_IN_GONE = 1;

/**
 * The engine's input to {@link PagingBackend.commitEviction}: evict this prepared page.
 *
 * @example
 * ```ts
 * outcome.fill(EVICT_TRY, 0, prepared);
 * ```
 */
export const EVICT_TRY = 0;
/**
 * The engine does not want this prepared page evicted (its policy saw it used): the backend lets it go back.
 *
 * @example
 * ```ts
 * outcome[i] = policy.confirmEviction?.(pages[i]!) === false ? EVICT_SKIP : EVICT_TRY;
 * ```
 */
export const EVICT_SKIP = 1;
/**
 * The engine's input to {@link PagingBackend.commitEviction} on a backend with
 * {@link BackendCapabilities.zeroPages}: evict this prepared page, which is all zeros and was not
 * written to the store; its next access is a fault with {@link FAULT_ABSENT}.
 *
 * @example
 * ```ts
 * outcome[i] = isZeroPage(bytes, i) ? EVICT_ZERO : EVICT_TRY;
 * ```
 */
export const EVICT_ZERO = 4;
/**
 * The page is out: its memory is released and its next access faults.
 *
 * @example
 * ```ts
 * if (outcome[i] === EVICT_DONE) console.log(pages[i], 'is out');
 * ```
 */
export const EVICT_DONE = 2;
/**
 * The backend refused: the page changed or is in use since it was prepared, and stays resident.
 *
 * @example
 * ```ts
 * if (outcome[i] === EVICT_REFUSED) console.log(pages[i], 'stays');
 * ```
 */
export const EVICT_REFUSED = 3;

/**
 * How a backend learns that resident pages are used, which decides what an access-driven policy can
 * know: `none` (only faults reach the pager: Xen's paging ring, userfaultfd's missing mode), `sampled`
 * (reference bits collected now and then, as minor faults or the page table's accessed bits give
 * them), `every` (each access is reported: a simulator, or an instrumented application).
 *
 * @example
 * ```ts
 * const reporting: AccessReporting = backend.capabilities.accesses;
 * ```
 */
export type AccessReporting = 'none' | 'sampled' | 'every';

/**
 * What a backend can do, which the engine and plugins read instead of asking which hypervisor it is.
 *
 * @remarks
 * The engine reads `maxBatch` (its page-in batch) and `prefetch` (whether it may page in without a
 * fault: the target rising, the graceful stop). The others tell policies and tools what the backend
 * offers, and what a port to it must not assume: Xen's eviction has a nominate step that refuses
 * pages, userfaultfd's does not; userfaultfd can map a zero page without copying one.
 *
 * @example
 * ```ts
 * if (backend.capabilities.accesses === 'none') console.log('only faults: an LRU sees page-ins, not hits');
 * ```
 */
export interface BackendCapabilities {
  /** The most fault records one drain returns, and the size of the engine's page-in batches. */
  readonly maxBatch: number;
  /** Whether `prepareEviction` may refuse pages (Xen's nominate answers EBUSY or EAGAIN; userfaultfd never refuses). */
  readonly refusesEviction: boolean;
  /** How accesses to resident pages are known. */
  readonly accesses: AccessReporting;
  /**
   * Whether the backend can tell which pages were written since they were populated from the store, so
   * that a clean page is dropped without being copied or written again (`clean` in
   * {@link PagingBackend.prepareEviction}). The engine then keeps a page's copy in the store after
   * paging it in, and deletes it once the page is written and evicted anew, evicted as zeros, or removed.
   * userfaultfd does it by populating pages write-protected (`UFFDIO_COPY_MODE_WP`): the first write
   * faults once and marks the page dirty. Xen's log-dirty mode could; the Xen backend does not.
   */
  readonly dirtyTracking: boolean;
  /**
   * Whether the backend can map a page of zeros without being handed the bytes (userfaultfd
   * `UFFDIO_ZEROPAGE`). The engine then evicts pages of zeros without writing them to the store
   * ({@link EVICT_ZERO}), and their next fault comes with {@link FAULT_ABSENT}.
   */
  readonly zeroPages: boolean;
  /**
   * Whether pages start absent: nothing is in memory until touched, and each first touch is a fault
   * with {@link FAULT_ABSENT} that the backend fills with zeros (userfaultfd on a new mapping). Xen
   * domains start with every page resident.
   */
  readonly startsAbsent: boolean;
  /**
   * Whether `requestPageIn` may be called for pages nobody faulted on. Without it the pager pages in
   * only on faults: a rising target waits for the guest, and a graceful stop is refused.
   */
  readonly prefetch: boolean;
}

/**
 * What a backend says about itself once open, for the `pager.started` event and diagnostics.
 *
 * @example
 * ```ts
 * console.log(backend.info?.name, backend.info?.abi);
 * ```
 */
export interface BackendInfo {
  /** The backend's kind (`xen`, `userfaultfd`, ...). */
  readonly name: string;
  /** Xen: the ABI on the ring. */
  readonly abi?: string;
  /** Xen: the ABI the pager speaks (differs from `abi` when an adapter bridges them). */
  readonly pagerAbi?: string;
  /** Xen: whether the hypervisor announced the ABI or it came from the pager's setting. */
  readonly abiSource?: 'announced' | 'configured';
}

/**
 * The memory a pager pages, whatever holds it: a Xen domain, a process's memory under userfaultfd.
 *
 * @remarks
 * The engine drives it alone and in batches. Pages are indexes into a page space of
 * {@link PagingBackend.pageCount} pages. A fault is reported once a page is touched; the engine
 * populates the pages it holds and then completes every record, which wakes whoever waits. Eviction is
 * two-phase: {@link PagingBackend.prepareEviction} copies the victims out (and may refuse some), the
 * engine makes the copies durable, then {@link PagingBackend.commitEviction} drops them, refusing pages
 * changed since. Calls may be asynchronous; the engine never overlaps two of them. A backend reports
 * errors it cannot turn into an outcome by throwing; the engine then stops.
 *
 * @example
 * ```ts
 * const pager = createPager({ backend: myBackend, policy: xenpaging(), store: memoryStore() });
 * await pager.start(); // opens the backend
 * ```
 */
export interface PagingBackend {
  /** Pages in the page space: pages are `[0, pageCount)`. */
  readonly pageCount: number;
  /**
   * A short name of the memory paged, safe in file names and store keys (letters, digits, `-`, `_`):
   * stores use it for their defaults (`dom1.pagefile`, Redis prefix `pagevisor:dom1`). Xen: `dom<domid>`.
   */
  readonly memoryName: string;
  /** What it can do. */
  readonly capabilities: BackendCapabilities;
  /** What it is, once open. */
  readonly info: BackendInfo | undefined;
  /** Emits when there may be fault records to drain (emissions may coalesce). Completes on close. */
  readonly activity$: Observable<void>;
  /** The number of pages the memory should hold (0 or above `pageCount` means all of them). */
  readonly target$: Observable<number>;
  /** Starts paging (Xen: negotiates the ABI and enables the ring). */
  open(): void | Promise<void>;
  /** Pages holding memory now. */
  residentPages(): number;
  /** Moves up to `capabilities.maxBatch` fault records into `into`; returns how many. */
  drainFaults(into: FaultBatch): number;
  /**
   * A backend whose {@link BackendCapabilities.accesses} is `sampled` or `every`: moves up to
   * `into.length` pages accessed since the last call into `into` (a page may be listed more than once);
   * returns how many. The engine drains them before it picks victims and tells the policy
   * (`notifyAccess`) of those still resident. Backends that see only faults leave it out.
   */
  drainAccesses?(into: Uint32Array): number;
  /**
   * Loads `pages[0 … count)` with `bytes` (page `i` at `i * 4096`); sets `outcome[i]` to
   * {@link POPULATED}, {@link POPULATE_NO_MEMORY} or {@link POPULATE_GONE}. Nobody is woken yet.
   */
  populate(pages: Uint32Array, count: number, bytes: Uint8Array, outcome: Uint8Array): void | Promise<void>;
  /** Completes the fault records `ids[0 … count)`: whoever waits on them runs again. */
  completeFaults(ids: Uint32Array, count: number): void | Promise<void>;
  /** Asks for pages the engine holds to be faulted in (a graceful stop, a target that rose); sets `outcome[i]`. */
  requestPageIn(pages: Uint32Array, count: number, outcome: Uint8Array): void | Promise<void>;
  /**
   * First phase of eviction: copies victims out. Reorders `pages[0 … count)` so that the `k` it
   * returns are prepared, with their bytes at `bytes[i * 4096]`, and the refused ones follow.
   *
   * A backend with {@link BackendCapabilities.dirtyTracking} is given `clean`, and sets `clean[i]` to
   * 1 for a prepared page not written since the store's bytes were populated into it: the store still
   * holds those (the engine keeps a page's copy after paging it in on such a backend), so the backend
   * need not copy the page out, and the engine does not write it again.
   */
  prepareEviction(pages: Uint32Array, count: number, bytes: Uint8Array, clean?: Uint8Array): number | Promise<number>;
  /**
   * Second phase: drops the prepared `pages[0 … count)` (same order, same bytes) whose outcome the
   * engine set to {@link EVICT_TRY} or {@link EVICT_ZERO}, and sets each to {@link EVICT_DONE} or
   * {@link EVICT_REFUSED}; pages set to {@link EVICT_SKIP} go back to the guest.
   */
  commitEviction(pages: Uint32Array, count: number, bytes: Uint8Array, outcome: Uint8Array): void | Promise<void>;
  /** The copies of prepared `pages[0 … count)` could not be made durable: they stay resident. */
  abandonEviction(pages: Uint32Array, count: number): void | Promise<void>;
  /**
   * Stops paging. `graceful` after every page came back (Xen: disable the ring); `hard` leaves the
   * pages out and the backend's own outcome for whoever faults on them (Xen: the ring stays enabled).
   */
  close(mode: 'graceful' | 'hard'): void | Promise<void>;
}
