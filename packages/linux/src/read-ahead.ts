import { LinuxError } from './linux-error.js';

/**
 * Read-ahead on a fault of a page that is out: the pages after it that are out too come in with it,
 * as prefetches nobody waits on (they save the faults a scan would take on them).
 *
 * @example
 * ```ts
 * openPagedRegion({ pages: 1 << 16, target: 1 << 14, readAhead: { pages: 16, mode: 'sequential' } });
 * ```
 */
export interface ReadAheadOptions {
  /** The most pages brought in after the faulting one, 1 to 1024. */
  readonly pages: number;
  /**
   * `sequential` (the default): none after a fault at a new place; once faults follow on from the
   * previous one's window, the window doubles up to `pages` (Linux's file read-ahead does the same),
   * so random access reads nothing ahead and a scan soon reads `pages` ahead. `fixed`: always `pages`.
   */
  readonly mode?: 'sequential' | 'fixed';
}

/** The largest read-ahead window. */
const MAX_WINDOW = 1024;

/**
 * The window of {@link ReadAheadOptions}: how many pages to read ahead of each fault.
 *
 * @internal
 */
export class ReadAheadWindow {
  private readonly max: number;
  private readonly fixed: boolean;
  private window = 0;
  /** The previous fault's window: a fault in `[start, end]` follows on from it. */
  private start = -2;
  private end = -2;

  /**
   * @param options - the region's read-ahead
   * @throws {@link LinuxError} `LINUX_ARGUMENT` for a window that is not 1 to 1024 pages, or an unknown mode
   */
  constructor(options: ReadAheadOptions) {
    const { pages, mode = 'sequential' } = options;
    if (!Number.isInteger(pages) || pages < 1 || pages > MAX_WINDOW) throw new LinuxError('LINUX_ARGUMENT', `a read-ahead is 1 to ${MAX_WINDOW} pages, not ${pages}`);
    if (mode !== 'sequential' && mode !== 'fixed') throw new LinuxError('LINUX_ARGUMENT', `a read-ahead mode is sequential or fixed, not ${JSON.stringify(mode)}`);
    this.max = pages;
    this.fixed = mode === 'fixed';
  }

  /** The pages to read ahead of a fault on `page` (a page that is out). */
  next(page: number): number {
    if (this.fixed) return this.max;
    const follows = page >= this.start && page <= this.end + 1;
    this.window = follows ? Math.min(this.max, Math.max(2, this.window * 2)) : 0;
    this.start = page;
    this.end = page + this.window;
    return this.window;
  }
}
