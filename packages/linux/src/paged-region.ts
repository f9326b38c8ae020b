import { threadId } from 'node:worker_threads';
import { LinuxError } from './linux-error.js';
import { nativeAddon, type NativeAddon } from './internal/native-addon.js';
import { supportProblem } from './userfaultfd-support.js';
import { UserfaultfdBackend } from './userfaultfd-backend.js';
import { ReadAheadWindow, type ReadAheadOptions } from './read-ahead.js';
import { mappingRss } from './mapping-rss.js';
import { AccessSampler, type AccessSamplingOptions } from './access-sampler.js';
import { checkWatchdog, type WatchdogOptions } from './watchdog-options.js';

/**
 * The most pages one region may have: 2^28 (1 TiB of address space).
 *
 * @example
 * ```ts
 * openPagedRegion({ pages: Math.min(wanted, MAX_REGION_PAGES) });
 * ```
 */
export const MAX_REGION_PAGES = 1 << 28;

/**
 * How to open a {@link PagedRegion}.
 *
 * @example
 * ```ts
 * openPagedRegion({ pages: 65536, target: 16384, name: 'cache' });
 * ```
 */
export interface PagedRegionOptions {
  /** Pages of 4 KiB in the region, at most {@link MAX_REGION_PAGES}. */
  readonly pages: number;
  /** Pages to keep resident (default: all of them; change it with `region.backend.setTarget`). */
  readonly target?: number;
  /** Names the memory in stores' defaults (letters, digits, `-`, `_`; default `region<id>`). */
  readonly name?: string;
  /** Read-ahead on faults (default none: each page out comes in on its own fault). */
  readonly readAhead?: ReadAheadOptions;
  /**
   * A native watchdog: a fault the pager leaves unanswered for `deadlineMs` (a store that hangs, a
   * pager thread stuck) poisons its page (`UFFDIO_POISON`, Linux 6.6), so the thread waiting on it gets
   * SIGBUS, which ends the process unless handled: a defined outcome instead of a hang. Default none.
   */
  readonly watchdog?: WatchdogOptions;
  /**
   * Reference bits for the policy (see {@link AccessSamplingOptions}): the region is then a memfd
   * mapped shared, registered for minor faults too (Linux 5.19), and its pager's policy hears of
   * accesses to resident pages, not only of faults. Default none.
   */
  readonly sampling?: AccessSamplingOptions;
}

/**
 * A region of this process's memory paged with userfaultfd: an anonymous mapping of `pages` pages (a
 * memfd mapped shared, with `sampling`), all missing at first (a first touch reads zeros), whose
 * faults a pager serves through {@link PagedRegion.backend}.
 *
 * @remarks
 * The thread that serves the faults (the one that starts the pager) must never touch the region: a
 * page that is out would wait for that thread. {@link PagedRegion.view} refuses it once the pager is
 * started. Touch the region from other threads: a Worker gets its own view with
 * {@link attachRegion}`(region.id)`. Kernel accesses to a page that is out (a `read(2)` into it) fail
 * with `EFAULT`: touch the page first.
 *
 * @example
 * ```ts
 * import { openPagedRegion } from '@pagevisor/linux';
 * const region = openPagedRegion({ pages: 4096, target: 1024 });
 * const pager = createPager({ backend: region.backend, policy: clock(), store: memoryStore() });
 * await pager.start();
 * new Worker('./work.js', { workerData: { region: region.id } }); // attachRegion(workerData.region) there
 * ```
 */
export class PagedRegion {
  /** The backend to give `createPager`. */
  readonly backend: UserfaultfdBackend;
  private closed = false;

  /**
   * @internal use {@link openPagedRegion}
   * @param id - the region's id in this process
   * @param pages - its size in pages
   * @param name - its memory name
   * @param target - pages to keep resident at first
   * @param readAhead - the read-ahead window, if any
   */
  constructor(
    readonly id: number,
    readonly pages: number,
    readonly name: string,
    target: number,
    readAhead?: ReadAheadWindow,
    sampler?: AccessSampler,
  ) {
    this.backend = new UserfaultfdBackend(nativeAddon(), id, pages, name, target, { ...(readAhead === undefined ? {} : { readAhead }), ...(sampler === undefined ? {} : { sampler }) });
  }

  /** The region's bytes for this thread (refused to the thread serving its faults). */
  view(): ArrayBuffer {
    if (this.closed) throw new LinuxError('LINUX_STATE', `the region ${this.name} is closed`);
    return attachRegion(this.id);
  }

  /**
   * The region's resident memory as the kernel counts it, in bytes: `Rss` of its mapping in
   * `/proc/self/smaps`, or for a sampled region the blocks its memfd holds (`fstat`), since the pages
   * being sampled are in memory but not mapped. What the pager's target is about, measured rather
   * than counted.
   *
   * @throws {@link LinuxError} `LINUX_STATE` for a closed region
   *
   * @example
   * ```ts
   * console.log(`${region.measuredResidentBytes() / 2 ** 20} MiB resident`);
   * ```
   */
  measuredResidentBytes(): number {
    if (this.closed) throw new LinuxError('LINUX_STATE', `the region ${this.name} is closed`);
    const native = nativeAddon();
    // A sampled region's memory is its memfd's: its mapping's Rss leaves out the pages being sampled.
    const held = native.heldBytes(this.id);
    return held >= 0 ? held : mappingRss(native.address(this.id));
  }

  /**
   * How many faults the watchdog has acted on (poisoned their page) so far.
   *
   * @example
   * ```ts
   * if (region.watchdogFired() > 0) console.error('the pager left faults unanswered past the deadline');
   * ```
   */
  watchdogFired(): number {
    return nativeAddon().watchdogFired(this.id);
  }

  /**
   * Unmaps the region: its memory is freed and any view of it faults (SIGSEGV) if used. Stop its pager
   * first.
   */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.backend.close('hard'); // a no-op once its pager stopped; else nothing may wait on the region
    if (!this.backend.discarded) nativeAddon().close(this.id);
  }
}

/**
 * Opens a paged region of this process.
 *
 * @throws {@link LinuxError} `LINUX_ARGUMENT` for a bad size, name, read-ahead or sampling; `LINUX_UNSUPPORTED`,
 * `LINUX_NATIVE_MISSING`, `LINUX_PERMISSION`, `LINUX_KERNEL` (each saying the remedy) where userfaultfd
 * cannot be used
 *
 * @example
 * ```ts
 * const region = openPagedRegion({ pages: 1 << 16, target: 1 << 14 });
 * ```
 */
export function openPagedRegion(options: PagedRegionOptions): PagedRegion {
  const { pages } = options;
  if (!Number.isInteger(pages) || pages < 1 || pages > MAX_REGION_PAGES) throw new LinuxError('LINUX_ARGUMENT', `a region has 1 to ${MAX_REGION_PAGES} pages, not ${pages}`);
  const target = options.target ?? pages;
  if (!Number.isInteger(target) || target < 0) throw new LinuxError('LINUX_ARGUMENT', `a target is a whole number of pages, not ${target}`);
  if (options.name !== undefined && !/^[A-Za-z0-9_-]{1,64}$/.test(options.name)) throw new LinuxError('LINUX_ARGUMENT', `a region name is 1 to 64 letters, digits, - or _, not ${JSON.stringify(options.name)}`);
  const readAhead = options.readAhead === undefined ? undefined : new ReadAheadWindow(options.readAhead);
  const sampler = options.sampling === undefined ? undefined : new AccessSampler(options.sampling);
  checkWatchdog(options.watchdog);
  const deadlineMs = options.watchdog?.deadlineMs;
  const native = nativeAddon();
  let id: number;
  try {
    id = native.create(pages, sampler !== undefined);
    if (deadlineMs !== undefined) armWatchdog(native, id, deadlineMs);
  } catch (error) {
    if (error instanceof LinuxError) throw error;
    const { code, errno } = error as { code?: string; errno?: number };
    if (code === 'UFFD_OPEN' || code === 'UFFD_API') throw supportProblem(errno ?? 0, code === 'UFFD_OPEN' ? 'userfaultfd' : 'UFFDIO_API');
    if (code === 'UFFD_KERNEL') throw new LinuxError('LINUX_KERNEL', `access sampling needs minor and write-protect faults on shmem, which this kernel does not offer: use Linux 5.19 or later, or open the region without sampling`, { errno, cause: error });
    throw new LinuxError('LINUX_SYSCALL', `opening a region of ${pages} pages failed: ${(error as Error).message}`, { errno, cause: error });
  }
  return new PagedRegion(id, pages, options.name ?? `region${id}`, target, readAhead, sampler);
}

/** Arms the watchdog of a new region (closing it if the kernel cannot poison pages). */
function armWatchdog(native: NativeAddon, id: number, deadlineMs: number): void {
  try {
    native.watch(id, deadlineMs, 1);
  } catch (error) {
    native.close(id);
    throw new LinuxError('LINUX_KERNEL', `the watchdog poisons pages with UFFDIO_POISON, which this kernel does not offer: use Linux 6.6 or later, or open the region without a watchdog`, { cause: error });
  }
}

/**
 * The bytes of region `id` for the calling thread: in a Worker, the region's `id` from the thread that
 * opened it. Each thread makes its own view (an `ArrayBuffer` over external memory is copied, not
 * shared, when posted).
 *
 * @throws {@link LinuxError} `LINUX_STATE` on the thread serving the region's faults, or for a region
 * that is not open
 *
 * @example
 * ```ts
 * const bytes = new Uint8Array(attachRegion(workerData.region));
 * ```
 */
export function attachRegion(id: number): ArrayBuffer {
  try {
    return nativeAddon().view(id, threadId);
  } catch (error) {
    throw new LinuxError('LINUX_STATE', `cannot view region ${id}: ${(error as Error).message}`, { cause: error });
  }
}
