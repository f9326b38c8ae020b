import { BehaviorSubject, Subject, type Observable, type Subscription } from 'rxjs';
import { inject, injectable } from 'tsyringe';
import type { BackendInfo, PagingBackend } from '../backend/paging-backend.js';
import { ConfigError } from '../errors/config-error.js';
import { PagerError } from '../errors/pager-error.js';
import { CLOCK, PAGE_STORE, PAGER_CONFIG, PAGING_BACKEND, VICTIM_POLICY } from '../di/tokens.js';
import { Eviction } from '../internal/pager/eviction.js';
import { AccessFeed } from '../internal/pager/access-feed.js';
import { PageIn } from '../internal/pager/page-in.js';
import { PageInSweep } from '../internal/pager/page-in-sweep.js';
import { newPagerCounters, PagerContext } from '../internal/pager/pager-context.js';
import type { VictimPolicy } from '../policy/victim-policy.js';
import type { PageStore } from '../store/page-store.js';
import type { Clock } from './clock.js';
import type { ResolvedPagerConfig } from './pager-config.js';
import type { PagerEvent } from './pager-events.js';
import type { PagerStats } from './pager-stats.js';
import type { StopReport } from './stop-report.js';

/** Milliseconds of back-to-back service after which the pager lets the event loop run. */
const EVENT_LOOP_SLICE_MS = 10;

/** What `settle` returns when there is nothing to wait for. */
const SETTLED: Promise<void> = Promise.resolve();

/**
 * Metadata bytes per gfn, by part.
 *
 * @example
 * ```ts
 * const { pager: p, policy } = pager.metadataBytesPerGfn; // bytes per gfn of the domain
 * ```
 */
export interface MetadataBytes {
  /** The pager's own state (which gfns it holds out). */
  readonly pager: number;
  /** The victim policy's state (its `bytesPerPage`). */
  readonly policy: number;
}

/**
 * The pager engine: xenpaging's main loop over a {@link PagingBackend}, a victim policy and a page store.
 *
 * @remarks
 * Build it with {@link createPager}, which wires one DI container per pager. The engine knows no
 * hypervisor: it reacts to the backend's activity (`activity$`) and target (`target$`):
 *
 * - **page-in**: drain fault records, read the pages it holds from the store in one batch, populate
 *   them, complete every record (duplicates too), tell the policy;
 * - **removed pages** (Xen's DROP_PAGE): forget the page, tell the policy, and complete the record
 *   (the one-way drop of Xen 4.1.0 filled the ring);
 * - **eviction** toward the target in batches: the policy picks, the backend prepares (copies the pages
 *   out, refusals go back to the policy), the engine writes the batch to the store once and flushes it,
 *   then the backend drops the pages. The guest's copy is dropped only after the store's is durable.
 *
 * Per-gfn state is one byte; buffers are allocated once, so the hot path allocates nothing per page.
 *
 * @example
 * ```ts
 * const xen = new SimHypervisor(); // from @pagevisor/testing, or a real Xen binding
 * const guest = xen.createDomain({ maxPages: 16384 });
 * const pager = createPager({ hypervisor: xen, domid: guest.domid, policy: xenpaging(), store: memoryStore() });
 * pager.events$.subscribe((e) => console.log(e.type));
 * await pager.start();
 * xen.setTarget(guest.domid, 1024); // the domain's memory target, in pages
 * await pager.settle();
 * await pager.stop('graceful');
 * ```
 */
@injectable()
export class Pager {
  private readonly events = new Subject<PagerEvent>();
  private readonly statsSubject: BehaviorSubject<PagerStats>;
  /** Set by start(): the shared state and the two halves of the loop. */
  private ctx: PagerContext | undefined;
  private pageIn!: PageIn;
  private sweep!: PageInSweep;
  private eviction!: Eviction;
  private accessFeed!: AccessFeed;
  private target = 0;
  private readonly subscriptions: Subscription[] = [];
  private running: Promise<void> | undefined;
  private again = false;
  private state: 'new' | 'running' | 'stopping' | 'stopped' = 'new';
  private lastRate = { at: 0, evictions: 0, faults: 0 };
  private failure: unknown;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  /** The retry timer fired: the next pass asks the policy even if it has heard nothing new. */
  private retryDue = false;
  private lastYield = performance.now();
  /** Pages out before start ({@link Pager.adoptPagedOut}). */
  private adopted = new Uint32Array(0);

  /**
   * @param backend - the memory it pages
   * @param config - resolved settings
   * @param policy - the victim policy
   * @param store - the page store
   * @param clock - time for rates
   */
  constructor(
    @inject(PAGING_BACKEND) readonly backend: PagingBackend,
    @inject(PAGER_CONFIG) private readonly config: ResolvedPagerConfig,
    @inject(VICTIM_POLICY) private readonly policy: VictimPolicy,
    @inject(PAGE_STORE) private readonly store: PageStore,
    @inject(CLOCK) private readonly clock: Clock,
  ) {
    this.statsSubject = new BehaviorSubject<PagerStats>(this.snapshot());
  }

  /**
   * Everything the pager does, as {@link PagerEvent}s. Hot: subscribers see only events after they
   * subscribe, nothing is replayed. Completes after `pager.stopped`; errors with the cause when the
   * pager gives up (a store that keeps failing reads).
   */
  get events$(): Observable<PagerEvent> {
    return this.events.asObservable();
  }

  /**
   * Counters after every batch ({@link PagerStats}). Replays the latest snapshot to a new subscriber.
   * Completes when the pager stops; never errors (failures are on `events$`).
   */
  get stats$(): Observable<PagerStats> {
    return this.statsSubject.asObservable();
  }

  /** The latest stats snapshot. */
  get stats(): PagerStats {
    return this.statsSubject.value;
  }

  /**
   * Bytes of metadata per gfn, by part: the pager's own state and the policy's (the store's index, if
   * any, is the store's to report).
   */
  get metadataBytesPerGfn(): MetadataBytes {
    const ctx = this.ctx;
    return { pager: ctx === undefined ? 0 : ctx.out.byteLength / ctx.maxPages, policy: this.policy.bytesPerPage };
  }

  /**
   * Where the pager is in its life: `new` until {@link Pager.start}, `running`, then `stopping` and
   * `stopped` once {@link Pager.stop} was called. A tool that relies on the pager (a migration, whose
   * hand-over stops it) checks it is still `running`.
   */
  get status(): 'new' | 'running' | 'stopping' | 'stopped' {
    return this.state;
  }

  /**
   * The store this pager writes its pages to: for tools that read paged-out pages without paging them
   * in (a migration streaming them to another host). Reads are ordered with the pager's own writes and
   * deletes; do not write or delete through it.
   */
  get pageStore(): PageStore {
    return this.store;
  }

  /** What the backend says about itself, once started (Xen: the ABIs on the ring and in the pager). */
  get backendInfo(): BackendInfo | undefined {
    return this.backend.info;
  }

  /**
   * Takes pages over that are out already, their contents in this pager's store under their gfns: the
   * destination of a migration that left them where they were (a shared pagefile, SQLite file or Redis
   * cluster), or a pager restarted after a hard stop. The pager treats them as pages it paged out
   * itself: a fault on one reads it from the store. Call it before {@link Pager.start}; the pages must
   * be paged out in the memory (Xen: p2m `paged`) by then.
   *
   * @param gfns - the pages, `gfns[0 … count)`
   * @throws {@link PagerError} `PAGER_STATE` once the pager has started
   * @throws {@link ConfigError} at {@link Pager.start} (before paging is enabled), for a page beyond the memory's pages
   *
   * @example
   * ```ts
   * const pager = createPager({ hypervisor, domid, policy: xenpaging(), store: pagefileStore({ path: shared }) });
   * pager.adoptPagedOut(Uint32Array.from(pagedAtSource));
   * await pager.start();
   * ```
   */
  adoptPagedOut(gfns: Uint32Array, count = gfns.length): void {
    if (this.state !== 'new') throw new PagerError('PAGER_STATE', `pages are adopted before start; this pager is ${this.state}`);
    const adopted = new Uint32Array(this.adopted.length + count);
    adopted.set(this.adopted);
    adopted.set(gfns.subarray(0, count), this.adopted.length);
    this.adopted = adopted;
  }

  /**
   * Checks the store is usable (one flush), opens the backend (Xen: negotiates the ABI and enables
   * paging), subscribes to its activity and its target, and starts working toward the target.
   *
   * @throws {@link StoreError} when the store cannot open (a Redis server that does not answer, a
   * file of another format): paging is then not enabled
   * @throws whatever the backend's `open` throws (Xen: {@link AbiError} `ABI_MISMATCH`, {@link HypervisorError} `EBUSY`, ...)
   */
  async start(): Promise<void> {
    if (this.state !== 'new') throw new PagerError('PAGER_STATE', `a pager starts once; this one is ${this.state}`);
    const { backend, config } = this;
    // A store that cannot open fails here, before the guest depends on it, not at the first eviction.
    await this.store.flush();
    const maxPages = backend.pageCount;
    for (const gfn of this.adopted) if (gfn >= maxPages) throw new ConfigError('adoptPagedOut', `adoptPagedOut: page ${gfn} is beyond the ${maxPages} pages of ${backend.memoryName}`);
    this.target = maxPages;
    await backend.open();
    const ctx = new PagerContext(backend, config, this.policy, this.store, this.events, maxPages);
    ctx.adoptOut(this.adopted);
    this.ctx = ctx;
    this.pageIn = new PageIn(ctx);
    this.sweep = new PageInSweep(ctx);
    this.eviction = new Eviction(ctx);
    this.accessFeed = new AccessFeed(ctx);
    this.state = 'running';
    this.lastRate = { at: this.clock.now(), evictions: 0, faults: 0 };
    const { name, ...details } = backend.info ?? { name: 'unknown' };
    this.events.next({ type: 'pager.started', backend: name, ...details, maxPages });
    this.subscriptions.push(backend.activity$.subscribe(() => this.kick()));
    this.subscriptions.push(
      backend.target$.subscribe((target) => {
        // xenpaging: a target of 0 pages everything in; a target above max_pages means max_pages.
        this.target = target <= 0 || target > maxPages ? maxPages : target;
        this.policy.setCapacity?.(this.target);
        this.events.next({ type: 'target.changed', target: this.target });
        this.kick();
      }),
    );
    await this.settle();
  }

  /**
   * Waits until the pager has nothing left to do: the ring is drained and answered and the domain is at
   * its target (or nothing more can be evicted now).
   */
  settle(): Promise<void> {
    // Between faults (most of a guest's accesses hit), a pass would do nothing: answer at once
    // instead of running one, as the guest's runner settles after every step.
    if (this.running === undefined && this.failure === undefined && this.idle()) return SETTLED;
    return this.settleByPass();
  }

  /**
   * Waits for the pass under way, if any (a fault's activity started it), then runs one more only if
   * that pass left something to do: it may have read the resident count before it changed.
   */
  private async settleByPass(): Promise<void> {
    if (this.running === undefined) this.kick();
    while (this.running !== undefined) await this.running;
    if (this.failure === undefined && !this.idle()) {
      this.kick();
      while (this.running !== undefined) await this.running;
    }
    if (this.failure !== undefined) throw this.failure;
  }

  /**
   * Whether a service pass would do nothing now. Fault records need no check: the backend's
   * `activity$` kicks a pass whenever there may be some, and no pass is running. What is not signalled
   * is the resident count moving against the target (Xen: a balloon), so that is checked as a pass
   * would check it.
   */
  private idle(): boolean {
    const ctx = this.ctx;
    if (this.state !== 'running' || ctx === undefined || this.retryDue || this.pageIn.noMemory.due(this.clock.now())) return false;
    const resident = this.backend.residentPages();
    if (resident !== this.statsSubject.value.totalPages) return false; // a pass publishes the new count
    if (resident < this.target) return ctx.outCount === 0 || !this.backend.capabilities.prefetch;
    return !this.eviction.wouldAsk(this.target, false);
  }

  /**
   * Stops the pager.
   *
   * - `graceful` (SIGTERM/SIGINT in xenpaging): pages everything back in, then disables paging.
   * - `hard`: answers what it has read, leaves the rest out (the guest stays consistent: paged gfns stay
   *   paged and their pages stay in the store), and reports how many pages are out. Paging stays
   *   enabled, and no other pager can take the domain over (Xen has no such call: its `enable` answers
   *   EBUSY while the ring exists): use it when the guest is going away, or the process must exit now.
   *
   * Either way the store is flushed and closed.
   *
   * @throws {@link PagerError} `PAGER_STATE` for a pager that is not running, or a graceful stop with
   * pages out on a backend without `capabilities.prefetch` (nothing is changed: stop it hard);
   * `PAGER_NO_PROGRESS` when a graceful stop brings nothing back in
   */
  async stop(mode: 'graceful' | 'hard' = 'graceful'): Promise<StopReport> {
    if (this.state !== 'running') throw new PagerError('PAGER_STATE', `cannot stop a pager that is ${this.state}`);
    const ctx = this.ctx!;
    if (mode === 'graceful' && ctx.outCount > 0 && !this.backend.capabilities.prefetch) {
      throw new PagerError('PAGER_STATE', `cannot stop gracefully: ${ctx.outCount} pages are out and backend ${this.backend.info?.name ?? 'unknown'} cannot page in without a fault (capabilities.prefetch); stop it hard`);
    }
    if (mode === 'graceful') {
      this.target = ctx.maxPages;
      for (let rounds = 0; ctx.outCount > 0; rounds++) {
        await this.sweep.requestPageIns(ctx.maxBatch);
        await this.settle();
        await this.yieldNowAndThen(); // a second Ctrl-C, timers and I/O are heard while the pages come in
        // Page-ins held back for memory: wait for their next try rather than spin.
        const held = this.pageIn.noMemory.delayFrom(this.clock.now());
        if (held !== undefined) await new Promise((resolve) => setTimeout(resolve, held));
        if (rounds > ctx.maxPages * 4 + 1000) throw new PagerError('PAGER_NO_PROGRESS', `graceful stop made no progress with ${ctx.outCount} pages out`);
      }
    }
    this.state = 'stopping';
    clearTimeout(this.retryTimer);
    await this.settle();
    for (const s of this.subscriptions) s.unsubscribe();
    await this.backend.close(mode);
    // The store belongs to this pager: flushed and closed, so a hard stop's pages survive in it.
    await this.store.flush();
    await this.store.close();
    this.state = 'stopped';
    const report: StopReport = { mode, pagesOut: ctx.outCount };
    this.publishStats();
    this.events.next({ type: 'pager.stopped', report });
    this.events.complete();
    this.statsSubject.complete();
    return report;
  }

  /** Schedules a service pass; passes never overlap. */
  private kick(): void {
    if (this.running !== undefined) {
      this.again = true;
      return;
    }
    this.running = this.serviceLoop().finally(() => {
      this.running = undefined;
    });
  }

  private async serviceLoop(): Promise<void> {
    try {
      do {
        this.again = false;
        await this.servicePass();
        await this.yieldNowAndThen();
      } while (this.again && this.state !== 'stopped');
    } catch (error) {
      this.failure = error;
      this.state = 'stopped';
      clearTimeout(this.retryTimer);
      for (const s of this.subscriptions) s.unsubscribe();
      this.events.error(error);
      this.statsSubject.complete();
    }
  }

  /** One pass: serve fault records until there are none, then move toward the target. */
  private async servicePass(): Promise<void> {
    const ctx = this.ctx!;
    const retry = this.retryDue;
    this.retryDue = false;
    while (await this.pageIn.pass(this.clock.now())) {
      // keep draining
    }
    const held = this.pageIn.noMemory.delayFrom(this.clock.now());
    if (held !== undefined) this.scheduleRetry(held);
    if (this.state === 'running') {
      this.accessFeed.feed(this.clock.now());
      const totPages = this.backend.residentPages();
      if (totPages < this.target && ctx.outCount > 0) {
        // Without prefetch, pages come back as the guest faults on them.
        if (this.backend.capabilities.prefetch) await this.sweep.requestPageIns(Math.min(this.target - totPages, ctx.maxBatch));
      } else if (!(await this.eviction.towardTarget(this.target, retry))) {
        // Nothing to evict now, or a batch that evicted nothing (pages busy, store failing): try again
        // later, as xenpaging's poll timeout did, instead of spinning.
        this.scheduleRetry();
      }
    }
    this.publishStats();
  }

  /**
   * Lets the rest of the process run (timers, I/O, signal handlers) once every
   * {@link EVENT_LOOP_SLICE_MS} of service: against a backend that answers at once (the simulator, a
   * memory store), passes chain through promise callbacks alone and would starve the event loop, so a
   * throttled `stats$` would never emit and Ctrl-C would wait for the whole run.
   */
  private async yieldNowAndThen(): Promise<void> {
    const now = performance.now();
    if (now - this.lastYield < EVENT_LOOP_SLICE_MS) return;
    await new Promise<void>((resolve) => setImmediate(resolve));
    this.lastYield = performance.now();
  }

  /** Re-runs a service pass after `delayMs` (default `retryIntervalMs`), once; the timer never keeps the process alive. */
  private scheduleRetry(delayMs = this.config.retryIntervalMs): void {
    if (this.retryTimer !== undefined || this.state !== 'running') return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.retryDue = true;
      if (this.state === 'running') this.kick();
    }, delayMs);
    this.retryTimer.unref?.();
  }

  // --- stats ---

  private snapshot(): PagerStats {
    const now = this.clock.now();
    const seconds = Math.max((now - this.lastRate.at) / 1000, 1e-9);
    const ctx = this.ctx;
    const c = ctx?.counters ?? newPagerCounters();
    const resident = ctx === undefined ? 0 : this.backend.residentPages();
    const stats: PagerStats = {
      pagesOut: ctx?.outCount ?? 0,
      pagedIn: c.pagedIn,
      evictions: c.evictions,
      faults: c.faults,
      drops: c.drops,
      evictFails: c.evictFails,
      evictFailReasons: { ...c.evictFailReasons },
      storeWriteErrors: c.storeWriteErrors,
      zeroFills: c.zeroFills,
      prefetched: c.prefetched,
      zeroEvictions: c.zeroEvictions,
      cleanEvictions: c.cleanEvictions,
      accessesSeen: c.accessesSeen,
      target: this.target,
      totalPages: resident,
      storeBytes: this.store.stats().bytes,
      evictionsPerSecond: (c.evictions - this.lastRate.evictions) / seconds,
      faultsPerSecond: (c.faults - this.lastRate.faults) / seconds,
    };
    return stats;
  }

  private publishStats(): void {
    const stats = this.snapshot();
    const c = this.ctx?.counters;
    this.lastRate = { at: this.clock.now(), evictions: c?.evictions ?? 0, faults: c?.faults ?? 0 };
    this.statsSubject.next(stats);
  }
}
