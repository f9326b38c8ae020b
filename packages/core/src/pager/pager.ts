import { BehaviorSubject, Subject, type Observable, type Subscription } from 'rxjs';
import { inject, injectable } from 'tsyringe';
import { MEM_EVENT_FLAG_DROP_PAGE } from '../abi/mem-event-constants.js';
import type { PagingAbi } from '../abi/paging-abi.js';
import type { PagingMessage, VmEventMessage } from '../abi/paging-message.js';
import { MEM_PAGING_DROP_PAGE } from '../abi/vm-event-constants.js';
import { CLOCK, HYPERVISOR, PAGE_STORE, PAGER_CONFIG, VICTIM_POLICY } from '../di/tokens.js';
import { isPagevisorError } from '../errors/pagevisor-error.js';
import type { HypervisorPort, PagingChannel } from '../hypervisor/hypervisor-port.js';
import type { VictimPolicy } from '../policy/victim-policy.js';
import { BackRing } from '../ring/back-ring.js';
import type { PageStore } from '../store/page-store.js';
import type { Clock } from './clock.js';
import type { ResolvedPagerConfig } from './pager-config.js';
import type { PagerEvent } from './pager-events.js';
import type { PagerStats } from './pager-stats.js';
import type { StopReport } from './stop-report.js';

const PAGE_BYTES = 4096;

/** Metadata bytes per gfn, by part. */
export interface MetadataBytes {
  /** The pager's own state (which gfns it holds out). */
  readonly pager: number;
  /** The victim policy's state (its `bytesPerPage`). */
  readonly policy: number;
}
/** `out[gfn]`: the pager holds the gfn's content in the store and the gfn is paged out. */
const OUT = 1;

/**
 * The pager engine: xenpaging's main loop on a hypervisor port, a victim policy and a page store.
 *
 * @remarks
 * Build it with {@link createPager}, which wires one DI container per pager. The pager reacts to the
 * hypervisor's event channel (`notify$`) and to the domain's target (`target$`):
 *
 * - **page-in**: drain requests, read their pages from the store in one batch, load them (`prep` with the
 *   buffer, or a writable mapping on paging age 1), answer every request (duplicates too), tell the policy;
 * - **DROP_PAGE**: forget the page, tell the policy, and always answer (the one-way drop of Xen 4.1.0
 *   filled the ring);
 * - **eviction** toward the target in batches: the policy picks, the pager nominates (refusals go back to
 *   the policy), copies, writes the batch to the store once and flushes it, then evicts (an EBUSY keeps
 *   the page resident). The guest's copy is dropped only after the store's is durable.
 *
 * Per-gfn state is one byte; buffers are allocated once, so the hot path allocates nothing per page.
 *
 * @example
 * ```ts
 * const pager = createPager({ hypervisor, domain: 1, policy, store });
 * pager.events$.subscribe((e) => console.log(e.type));
 * await pager.start();
 * hypervisor.setTarget(1, 1024);
 * await pager.stop('graceful');
 * ```
 */
@injectable()
export class Pager {
  private readonly events = new Subject<PagerEvent>();
  private readonly statsSubject: BehaviorSubject<PagerStats>;
  private channel: PagingChannel | undefined;
  private abi!: PagingAbi;
  private back!: BackRing;
  private maxPages = 0;
  private out!: Uint8Array;
  private outCount = 0;
  private target = 0;
  private readonly subscriptions: Subscription[] = [];
  private running: Promise<void> | undefined;
  private again = false;
  private state: 'new' | 'running' | 'stopping' | 'stopped' = 'new';
  // Batch buffers, allocated once at start.
  private requests: PagingMessage[] = [];
  private responses: PagingMessage[] = [];
  private victims!: Uint32Array;
  private evictGfns!: Uint32Array;
  private evictPages!: Uint8Array;
  private readGfns!: Uint32Array;
  private readPages!: Uint8Array;
  private dropGfns!: Uint32Array;
  private refusedGfns!: Uint32Array;
  private counters = { pagedIn: 0, evictions: 0, faults: 0, drops: 0, evictFails: 0, storeWriteErrors: 0 };
  private lastRate = { at: 0, evictions: 0, faults: 0 };
  private failure: unknown;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;

  /**
   * @param hypervisor - the hypervisor port
   * @param config - resolved settings
   * @param policy - the victim policy
   * @param store - the page store
   * @param clock - time for rates
   */
  constructor(
    @inject(HYPERVISOR) private readonly hypervisor: HypervisorPort,
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
    return { pager: this.maxPages === 0 ? 0 : this.out.byteLength / this.maxPages, policy: this.policy.bytesPerPage };
  }

  /** The ABI the ring speaks, once started. */
  get wireAbi(): PagingAbi | undefined {
    return this.channel?.abi.wire;
  }

  /**
   * Enables paging on the domain (ABI negotiation included), subscribes to the event channel and the
   * target, and starts working toward the target.
   *
   * @throws {@link HypervisorError} from enable (`ENOEXEC` when no ABI matches, `EBUSY`, ...)
   */
  async start(): Promise<void> {
    if (this.state !== 'new') throw new Error('a pager starts once');
    const { hypervisor, config } = this;
    const info = hypervisor.domainInfo(config.domid);
    this.maxPages = info.maxPages;
    this.out = new Uint8Array(info.maxPages);
    this.target = info.maxPages;
    const channel = hypervisor.enablePaging(config.domid, config.abi);
    this.channel = channel;
    this.abi = channel.abi.wire;
    this.back = new BackRing(channel.ring);
    const slots = this.abi.ringSlots;
    this.readGfns = new Uint32Array(slots);
    this.readPages = new Uint8Array(slots * PAGE_BYTES);
    this.dropGfns = new Uint32Array(slots);
    this.refusedGfns = new Uint32Array(config.batchSize);
    this.victims = new Uint32Array(config.batchSize);
    this.evictGfns = new Uint32Array(config.batchSize);
    this.evictPages = new Uint8Array(config.batchSize * PAGE_BYTES);
    this.state = 'running';
    this.lastRate = { at: this.clock.now(), evictions: 0, faults: 0 };
    this.events.next({ type: 'pager.started', abi: this.abi.id, maxPages: info.maxPages });
    this.subscriptions.push(hypervisor.notify$(config.domid).subscribe(() => this.kick()));
    this.subscriptions.push(
      hypervisor.target$(config.domid).subscribe((target) => {
        // xenpaging: a target of 0 pages everything in; a target above max_pages means max_pages.
        this.target = target <= 0 || target > this.maxPages ? this.maxPages : target;
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
  async settle(): Promise<void> {
    this.kick();
    while (this.running !== undefined) await this.running;
    if (this.failure !== undefined) throw this.failure;
  }

  /**
   * Stops the pager.
   *
   * - `graceful` (SIGTERM/SIGINT in xenpaging): pages everything back in, then disables paging.
   * - `hard`: answers what it has read, leaves the rest out (the guest stays consistent: paged gfns stay
   *   paged and their pages stay in the store), and reports how many pages are out.
   *
   * Either way the store is flushed and closed.
   */
  async stop(mode: 'graceful' | 'hard' = 'graceful'): Promise<StopReport> {
    if (this.state !== 'running') throw new Error(`cannot stop a pager that is ${this.state}`);
    if (mode === 'graceful') {
      this.target = this.maxPages;
      for (let rounds = 0; this.outCount > 0; rounds++) {
        this.requestPageIns(this.abi.ringSlots);
        await this.settle();
        if (rounds > this.maxPages * 4 + 1000) throw new Error(`graceful stop made no progress with ${this.outCount} pages out`);
      }
    }
    this.state = 'stopping';
    clearTimeout(this.retryTimer);
    await this.settle();
    for (const s of this.subscriptions) s.unsubscribe();
    if (mode === 'graceful') this.hypervisor.disablePaging(this.config.domid);
    // The store belongs to this pager: flushed and closed, so a hard stop's pages survive for a successor.
    await this.store.flush();
    await this.store.close();
    this.state = 'stopped';
    const report: StopReport = { mode, pagesOut: this.outCount };
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

  /** One pass: answer the ring until it is empty, then evict toward the target. */
  private async servicePass(): Promise<void> {
    while (await this.pageInPass()) {
      // keep draining
    }
    if (this.state === 'running') await this.evictTowardTarget();
    this.publishStats();
  }

  // --- page-in ---

  /** Drains one batch of requests and answers all of them; false when the ring was empty. */
  private async pageInPass(): Promise<boolean> {
    const abi = this.abi;
    const n = this.back.drainRequests(abi, this.requests, abi.ringSlots, false);
    if (n === 0) return false;
    const requests = this.requests;
    const gfns = this.readGfns;
    let reads = 0;
    let dropped = 0;
    for (let i = 0; i < n; i++) {
      const r = requests[i]!;
      const gfn = r.gfn;
      if (gfn >= this.maxPages) continue; // answered below; nothing to page in beyond max_pages
      if (this.isDrop(r)) {
        if (this.out[gfn] === OUT) {
          this.out[gfn] = 0;
          this.outCount--;
          this.dropGfns[dropped] = gfn;
          this.policy.notifyDropped(gfn);
          if (this.config.pageEvents) this.events.next({ type: 'page.dropped', gfn });
          dropped++;
        }
        this.counters.drops++;
        continue;
      }
      this.counters.faults++;
      // Duplicate requests for one gfn are normal: page it in once, answer them all.
      if (this.out[gfn] === OUT && !this.listed(gfns, reads, gfn)) gfns[reads++] = gfn;
    }
    if (dropped > 0) await this.store.deleteBatch(this.dropGfns, dropped);
    const pagedIn = reads > 0 ? await this.loadPages(reads) : 0;
    this.answer(n);
    this.events.next({ type: 'pagein.batch', pagedIn, dropped, answered: n });
    return true;
  }

  /** Reads `count` gfns of `readGfns` from the store and loads them into the guest; returns how many. */
  private async loadPages(count: number): Promise<number> {
    const { store, hypervisor, config } = this;
    const gfns = this.readGfns;
    const pages = this.readPages;
    for (let attempt = 1; ; attempt++) {
      try {
        await store.readBatch(gfns, count, pages);
        break;
      } catch (error) {
        this.events.next({ type: 'store.read-failed', pages: count, attempt, error });
        if (attempt >= config.readAttempts) throw error; // defined outcome: the pager stops, pages stay out
      }
    }
    let loaded = 0;
    for (let i = 0; i < count; i++) {
      const gfn = gfns[i]!;
      const page = pages.subarray(i * PAGE_BYTES, (i + 1) * PAGE_BYTES);
      try {
        if (this.abi.protocol.prepLoadsBuffer) {
          hypervisor.prep(config.domid, gfn, page);
        } else {
          // Paging age 1 (Xen 4.1): prep allocates, the pager writes through a writable mapping.
          hypervisor.prep(config.domid, gfn);
          const mapping = hypervisor.mapForeign(config.domid, gfn, true);
          mapping.bytes.set(page);
          hypervisor.unmapForeign(mapping);
        }
      } catch (error) {
        // ENOENT: the gfn left the paging states (ballooned out; its DROP_PAGE follows).
        if (!isPagevisorError(error, 'ENOENT')) throw error;
        continue;
      }
      this.out[gfn] = 0;
      this.outCount--;
      this.policy.notifyPagedIn(gfn, true);
      if (config.pageEvents) this.events.next({ type: 'page.populated', gfn });
      loaded++;
    }
    this.counters.pagedIn += loaded;
    await store.deleteBatch(gfns, count);
    return loaded;
  }

  /** Answers requests `0 … n)`: every request gets a response, so no ring slot is ever lost. */
  private answer(n: number): void {
    const abi = this.abi;
    const requests = this.requests;
    const responses = this.responses;
    for (let i = 0; i < n; i++) {
      const r = requests[i]!;
      const m = responses[i] ?? (responses[i] = abi.create());
      m.gfn = r.gfn;
      m.vcpuId = r.vcpuId;
      m.p2mt = r.p2mt;
      m.flags = r.flags;
      m.reason = r.reason;
      if ('type' in m) m.type = (r as typeof m).type;
      if ('pagingFlags' in m) {
        (m as VmEventMessage).pagingFlags = (r as VmEventMessage).pagingFlags;
        (m as VmEventMessage).version = Number(abi.generation);
      }
    }
    this.back.pushResponses(abi, responses, n);
    // Xen 4.1 consumes one response per PAGING_RESUME domctl; 4.2+ all of them per notification.
    const calls = abi.protocol.resume === 'one-per-call' ? n : 1;
    for (let i = 0; i < calls; i++) this.hypervisor.resume(this.config.domid);
  }

  private isDrop(m: PagingMessage): boolean {
    return this.abi.family === 'vm_event' ? ((m as VmEventMessage).pagingFlags & MEM_PAGING_DROP_PAGE) !== 0 : (m.flags & MEM_EVENT_FLAG_DROP_PAGE) !== 0;
  }

  private listed(gfns: Uint32Array, count: number, gfn: number): boolean {
    for (let i = 0; i < count; i++) if (gfns[i] === gfn) return true;
    return false;
  }

  /**
   * Triggers page-ins of up to `limit` paged-out gfns the way xenpaging's `resume_pages` did: a
   * read-only foreign map starts the populate (and fails with ENOENT); the request then comes round.
   */
  private requestPageIns(limit: number): void {
    const { hypervisor, config } = this;
    let asked = 0;
    for (let gfn = 0; gfn < this.maxPages && asked < limit; gfn++) {
      if (this.out[gfn] !== OUT) continue;
      asked++;
      try {
        hypervisor.unmapForeign(hypervisor.mapForeign(config.domid, gfn, false));
      } catch (error) {
        if (!isPagevisorError(error, 'ENOENT')) throw error;
      }
    }
  }

  // --- eviction ---

  private async evictTowardTarget(): Promise<void> {
    const { hypervisor, config, policy } = this;
    for (;;) {
      const info = hypervisor.domainInfo(config.domid);
      if (info.totPages < this.target && this.outCount > 0) {
        this.requestPageIns(Math.min(this.target - info.totPages, this.abi.ringSlots));
        return;
      }
      const excess = info.totPages - this.target;
      if (excess <= 0) return;
      const chosen = policy.chooseVictims(Math.min(excess, config.batchSize), this.victims);
      // Nothing to evict now, or a batch that evicted nothing (pages busy, store failing): try again
      // later, as xenpaging's poll timeout did, instead of spinning.
      if (chosen === 0 || (await this.evictBatch(chosen)) === 0) {
        this.scheduleRetry();
        return;
      }
    }
  }

  /** Re-runs a service pass after `retryIntervalMs`, once; the timer never keeps the process alive. */
  private scheduleRetry(): void {
    if (this.retryTimer !== undefined || this.state !== 'running') return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      if (this.state === 'running') this.kick();
    }, this.config.retryIntervalMs);
    this.retryTimer.unref?.();
  }

  /** Nominate, copy, one store write, evict: returns how many pages went out. */
  private async evictBatch(chosen: number): Promise<number> {
    const { hypervisor, config, policy } = this;
    const domid = config.domid;
    const mapFirst = this.abi.protocol.nominateRefs === 2;
    const gfns = this.evictGfns;
    const pages = this.evictPages;
    let nominated = 0;
    let failed = 0;
    for (let i = 0; i < chosen; i++) {
      const gfn = this.victims[i]!;
      let mapping;
      try {
        // Paging age 2 and SUSE age 3 (seed 001): the pager's mapping is the second reference nominate needs.
        if (mapFirst) mapping = hypervisor.mapForeign(domid, gfn, false);
        hypervisor.nominate(domid, gfn);
        mapping ??= hypervisor.mapForeign(domid, gfn, false);
      } catch (error) {
        if (mapping !== undefined) hypervisor.unmapForeign(mapping);
        if (!isRefusal(error)) throw error;
        this.evictFailed(gfn, 'nominate');
        failed++;
        continue;
      }
      pages.set(mapping.bytes, nominated * PAGE_BYTES);
      hypervisor.unmapForeign(mapping);
      gfns[nominated++] = gfn;
    }
    if (nominated === 0) {
      this.events.next({ type: 'evict.batch', evicted: 0, failed });
      return 0;
    }
    try {
      await this.store.writeBatch(gfns, pages, nominated);
      // The guest's copy goes only once the store's is durable (a no-op for the memory store).
      await this.store.flush();
    } catch (error) {
      // The pages stay resident (nominated: a guest touch brings them back with EVICT_FAIL).
      this.counters.storeWriteErrors += nominated;
      for (let i = 0; i < nominated; i++) this.evictFailed(gfns[i]!, 'store');
      this.events.next({ type: 'store.write-failed', pages: nominated, error });
      return 0;
    }
    let evicted = 0;
    let refused = 0;
    for (let i = 0; i < nominated; i++) {
      const gfn = gfns[i]!;
      try {
        hypervisor.evict(domid, gfn);
      } catch (error) {
        if (!isRefusal(error)) throw error;
        // EBUSY: mapped or populated since nomination; the page stays, its slot in the store is freed.
        this.evictFailed(gfn, 'evict');
        this.refusedGfns[refused++] = gfn;
        failed++;
        continue;
      }
      this.out[gfn] = OUT;
      this.outCount++;
      policy.notifyPagedOut(gfn);
      if (config.pageEvents) this.events.next({ type: 'page.evicted', gfn });
      evicted++;
    }
    if (refused > 0) await this.store.deleteBatch(this.refusedGfns, refused);
    this.counters.evictions += evicted;
    this.events.next({ type: 'evict.batch', evicted, failed });
    return evicted;
  }

  private evictFailed(gfn: number, reason: 'nominate' | 'evict' | 'store'): void {
    this.counters.evictFails++;
    this.policy.notifyNominationFailed(gfn);
    if (this.config.pageEvents) this.events.next({ type: 'evict.failed', gfn, reason });
  }

  // --- stats ---

  private snapshot(): PagerStats {
    const now = this.clock.now();
    const seconds = Math.max((now - this.lastRate.at) / 1000, 1e-9);
    const c = this.counters;
    const info = this.channel === undefined ? undefined : this.hypervisor.domainInfo(this.config.domid);
    const stats: PagerStats = {
      pagedOut: this.outCount,
      pagedIn: c.pagedIn,
      evictions: c.evictions,
      faults: c.faults,
      drops: c.drops,
      evictFails: c.evictFails,
      storeWriteErrors: c.storeWriteErrors,
      target: this.target,
      totalPages: info?.totPages ?? 0,
      storeBytes: this.store.stats().bytes,
      evictionsPerSecond: (c.evictions - this.lastRate.evictions) / seconds,
      faultsPerSecond: (c.faults - this.lastRate.faults) / seconds,
    };
    return stats;
  }

  private publishStats(): void {
    const stats = this.snapshot();
    this.lastRate = { at: this.clock.now(), evictions: this.counters.evictions, faults: this.counters.faults };
    this.statsSubject.next(stats);
  }
}

function isRefusal(error: unknown): boolean {
  return isPagevisorError(error, 'EBUSY') || isPagevisorError(error, 'EAGAIN') || isPagevisorError(error, 'ENOENT') || isPagevisorError(error, 'EINVAL');
}
