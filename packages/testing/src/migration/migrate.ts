import type { Pager, PagevisorPlugin } from '@pagevisor/core';
import type { SimHypervisor } from '../sim/sim-hypervisor.js';
import { OP_NANOS, type GuestRunner } from '../workloads/guest-runner.js';
import { guestVerdict, type GuestVerdict } from './guest-verdict.js';
import { MigrationReceiver } from './migration-receiver.js';
import { MigrationSender, type PagedTransfer } from './migration-sender.js';
import { PostcopyPhase, type PostcopyFigures } from './postcopy-phase.js';
import { PostcopySource } from './postcopy-source.js';
import { PostcopyStore, postcopyStorePlugin } from './postcopy-store.js';
import { WireBroken } from './wire-broken.js';

/** Xen's defaults for a live save (xc_sr_save.c, RELEASE-4.6.0: max_iterations 5, dirty_threshold 50). */
const XEN_MAX_ROUNDS = 5;
const XEN_DIRTY_THRESHOLD = 50;
/** 10 GbE. */
const DEFAULT_LINK_BYTES_PER_SECOND = 1.25e9;
/** One way across a data-centre link, for post-copy's requests. */
const DEFAULT_LINK_LATENCY_NS = 50_000;
/** Post-copy: attempts to make a broken connection again. */
const DEFAULT_RECONNECTS = 3;

/**
 * How {@link migrate} moves the guest: `precopy`, rounds while it runs, then paused for the last one;
 * `postcopy`, resumed on the destination after the first round, its pages still at the source fetched
 * and pushed there (QEMU's model).
 *
 * @example
 * ```ts
 * const mode: MigrationMode = 'postcopy';
 * ```
 */
export type MigrationMode = 'precopy' | 'postcopy';

/**
 * The sending side of {@link migrate}.
 *
 * @example
 * ```ts
 * const source: MigrationSource = { hv: a, domid: guest.domid, pager, runner: new GuestRunner(a, guest.domid, workload) };
 * ```
 */
export interface MigrationSource {
  /** The source host. */
  readonly hv: SimHypervisor;
  /** The guest. */
  readonly domid: number;
  /** The guest's pager, started: it pages on during the rounds, and stops hard at the hand-over. */
  readonly pager: Pager;
  /** The guest's workload: it runs for each round's virtual time (none: the guest is idle). */
  readonly runner?: GuestRunner;
}

/**
 * The receiving side of {@link migrate}.
 *
 * @example
 * ```ts
 * const destination: MigrationDestination = { hv: b, createPager: (domid, wrapStore) => createPager({ hypervisor: b, domid, policy: xenpaging(), store: wrapStore(memoryStore()) }) };
 * ```
 */
export interface MigrationDestination {
  /** The destination host. */
  readonly hv: SimHypervisor;
  /**
   * Builds the destination's pager for the new domain, not started: the migration adopts the
   * paged-out pages and starts it. For `stream` it is built at the first streamed page, whose store
   * takes them; for `by-reference` after the source's pager has stopped, so its store can open the
   * shared one. Its store plugin goes through `wrapStore` (post-copy puts the pages still at the
   * source in front of it; pre-copy returns it as it is).
   */
  readonly createPager: (domid: number, wrapStore: (store: PagevisorPlugin) => PagevisorPlugin) => Pager;
  /** Post-copy: the guest's workload on the destination, run from the resume until its last page arrives (none: it is idle). */
  readonly runner?: (domid: number) => GuestRunner;
  /** The shared store this host reaches, as the source's `storeRef` names it (`by-reference`). */
  readonly reachableStore?: string;
}

/**
 * A pre-copy migration between two simulated hosts (docs/guides/migration.md).
 *
 * @example
 * ```ts
 * const options: MigrateOptions = {
 *   source: { hv: a, domid: guest.domid, pager, runner },
 *   destination: { hv: b, createPager: (domid) => createPager({ hypervisor: b, domid, policy: xenpaging(), store: memoryStore() }) },
 * };
 * ```
 */
export interface MigrateOptions {
  /** The running guest, its pager, and the workload that keeps it running during the rounds. */
  readonly source: MigrationSource;
  /** The host it goes to. */
  readonly destination: MigrationDestination;
  /**
   * `precopy` (default): rounds while the guest runs, then it is paused for the last one and resumes on
   * the destination with every page there. `postcopy` (QEMU's model): after the rounds the guest resumes
   * on the destination at once, the pages dirtied since they were sent still at the source, which pushes
   * them in the background and sends first the ones the destination asks for.
   */
  readonly mode?: MigrationMode;
  /** How paged-out pages travel (default `stream`). */
  readonly paged?: PagedTransfer;
  /** `by-reference`: how the source's store names itself (a pagefile's path, a Redis cluster's address). */
  readonly storeRef?: string;
  /** Rounds before the guest is paused, the first (every page) included (default 5, Xen's; post-copy: 1). */
  readonly maxRounds?: number;
  /** Dirty pages at or below which the guest is paused for the last round (default 50, Xen's). */
  readonly dirtyThreshold?: number;
  /** The link's speed, for virtual time: how long each round takes, and so how long the guest runs meanwhile (default 10 GbE). */
  readonly linkBytesPerSecond?: number;
  /** Post-copy: one way across the link, for each request's round trip (default 50 µs). */
  readonly linkLatencyNs?: number;
  /** Post-copy: attempts to make a broken connection again before the migration fails (default 3). */
  readonly reconnects?: number;
  /**
   * Fault injection on the wire: sees each record's bytes on its way (`index` counts them from 0, the
   * headers first) and returns what arrives, or `null` to break the connection there.
   */
  readonly wire?: (chunk: Uint8Array, index: number) => Uint8Array | null;
}

/**
 * What a {@link migrate} did.
 *
 * @example
 * ```ts
 * const report = await migrate(options);
 * if (report.outcome === 'migrated') console.log(report.downtimeNs / 1e6, 'ms paused;', report.byReference, 'pages by reference');
 * else console.log('the guest goes on at the source:', report.error);
 * ```
 */
export interface MigrationReport {
  /**
   * `migrated`: the guest runs on the destination, the source domain is gone; `failed`: it goes on at
   * the source, unchanged but for what it did meanwhile (or, with `guestLost`, it is lost).
   */
  readonly outcome: 'migrated' | 'failed';
  /**
   * Post-copy failed after the guest resumed on the destination (the connection could not be made
   * again, a pager stopped, a store failed): neither host has all of it, as in QEMU. The destination's
   * domain is destroyed and the pages put into its store deleted; the source domain stays paused as it
   * was at the switch-over.
   */
  readonly guestLost?: boolean;
  /** Why it failed (a `MigrationError` from the destination for a bad or broken stream). */
  readonly error?: unknown;
  /** The guest's domain on the destination (migrated). */
  readonly destinationDomid?: number;
  /** The destination's pager, started (migrated). */
  readonly destinationPager?: Pager;
  /** Rounds sent, the last (with the guest paused) included. */
  readonly rounds: number;
  /** gfns sent, counting every round's. */
  readonly pagesSent: number;
  /** Bytes through the wire. */
  readonly bytesSent: number;
  /** Paged-out pages that moved by reference (only their gfns travelled). */
  readonly byReference: number;
  /** Paged-out pages streamed from the source's store, never paged in. */
  readonly streamed: number;
  /** Virtual time the guest was paused: the last round (post-copy: the switch-over) over the link. */
  readonly downtimeNs: number;
  /** What post-copy did after the resume. */
  readonly postcopy?: PostcopyFigures;
  /** Virtual time of the whole migration. */
  readonly totalNs: number;
  /** Every page of the guest where it runs now, checked (in memory and in its pager's store). */
  readonly verdict?: GuestVerdict;
  /** Invariant violations the auditor found on the domain where the guest runs now (0 or 1: it stops at the first). */
  readonly invariantViolations: number;
}

/**
 * Migrates a paged guest between two simulated hosts by pre-copy, as Xen's live save does
 * (`send_domain_memory_live`, xc_sr_save.c, RELEASE-4.6.0): log-dirty on, every page, then rounds of
 * the pages dirtied meanwhile while the guest runs, until few are dirty or the round limit; then the
 * guest is paused, the last dirty pages sent, and it resumes on the destination. Its paged-out pages
 * are never paged in: they go by reference or are streamed from the source's store, and a page that
 * changes state during the migration is sent again (the simulator logs page-ins and evictions).
 * After a failure before the hand-over (a bad or broken stream, a store the destination cannot
 * reach, a host out of memory) the destination keeps nothing and the guest goes on at the source.
 *
 * With `mode: 'postcopy'` (QEMU's model) the guest is paused after the first round only for the
 * switch-over, which lists the pages still at the source, and resumes on the destination; its pager
 * requests those pages as it needs them while the source pushes the rest ({@link PostcopyFigures}).
 * A broken connection is made again; a post-copy that cannot finish loses the guest (`guestLost`).
 *
 * @example
 * ```ts
 * const report = await migrate({ source: { hv: a, domid, pager, runner }, destination: { hv: b, createPager }, paged: 'stream' });
 * report.verdict?.mismatches; // []
 * ```
 */
export async function migrate(options: MigrateOptions): Promise<MigrationReport> {
  const { source, destination } = options;
  const guest = source.hv.domain(source.domid);
  const paged = options.paged ?? 'stream';
  const mode = options.mode ?? 'precopy';
  const maxRounds = options.maxRounds ?? (mode === 'postcopy' ? 1 : XEN_MAX_ROUNDS);
  if (!Number.isInteger(maxRounds) || maxRounds < 1) throw new RangeError(`maxRounds ${maxRounds}: at least the first round (every page) is sent before the guest is paused`);
  const link = options.linkBytesPerSecond ?? DEFAULT_LINK_BYTES_PER_SECOND;
  const transferNs = (bytes: number) => (bytes * 1e9) / link;
  let destinationPager: Pager | undefined;
  let phase: PostcopyPhase | undefined;
  const wrapStore = (store: PagevisorPlugin): PagevisorPlugin => (mode === 'precopy' ? store : postcopyStorePlugin(store, () => receiver.owed!, (gfns) => phase?.request(gfns)));
  const pagerFor = (domid: number) => (destinationPager ??= destination.createPager(domid, wrapStore));
  const receiver = new MigrationReceiver(destination.hv, { seed: guest.seed, vcpus: guest.vcpus }, (domid) => pagerFor(domid).pageStore, { streamed: paged === 'stream', reachableStore: destination.reachableStore });
  // The destination's pager, not started, for the new domain: the guest's content versions and target
  // taken over, every gfn the stream left paged out (or owed) adopted.
  const destinationPagerFor = (domid: number): Pager => {
    destination.hv.adoptVersions(domid, guest);
    const pager = pagerFor(domid);
    pager.adoptPagedOut(receiver.pagedOut());
    destination.hv.setTarget(domid, guest.targetPages);
    return pager;
  };
  let chunks = 0;
  let bytesSent = 0;
  const deliver = async (bytes: Uint8Array): Promise<void> => {
    const arrived = options.wire === undefined ? bytes : options.wire(bytes, chunks);
    chunks++;
    if (arrived === null) throw new WireBroken();
    bytesSent += arrived.length;
    await receiver.push(arrived);
  };
  const sender = new MigrationSender(source.hv, source.domid, deliver, { paged, store: source.pager.pageStore, storeRef: options.storeRef });
  const owedAtSource = mode === 'postcopy' ? new PostcopySource(guest.maxPages) : undefined;
  const totals = { rounds: 0, pagesSent: 0, downtimeNs: 0, totalNs: 0 };
  const round = async (gfns: Uint32Array | 'all', paused: boolean): Promise<void> => {
    sourcePagerRunning(source.pager);
    // Post-copy's paused round is the switch-over: what it would send with bytes is owed instead.
    const sent = paused && owedAtSource !== undefined ? await sender.switchOver(++totals.rounds, gfns, owedAtSource.unsent) : await sender.round(++totals.rounds, gfns);
    sourcePagerRunning(source.pager);
    totals.pagesSent += sent.pages;
    const ns = transferNs(sent.bytes);
    totals.totalNs += ns;
    if (paused) totals.downtimeNs += ns;
    else await source.runner?.run(() => source.pager.settle(), Math.floor(ns / OP_NANOS));
  };

  source.hv.enableLogDirty(source.domid);
  let paused = false;
  let received;
  try {
    await sender.start();
    await round('all', false);
    // The log is peeked to decide and cleaned only to send, so what the last live round leaves goes
    // with the paused one.
    const dirtyNow = () => source.hv.dirtyGfns(source.domid, false).length + sender.pending;
    while (totals.rounds < maxRounds && dirtyNow() > (options.dirtyThreshold ?? XEN_DIRTY_THRESHOLD)) {
      await round(source.hv.dirtyGfns(source.domid), false);
    }
    // Stop and copy (or switch over): the guest is paused, its pager finishes what it started, the rest goes (or is owed).
    source.hv.pauseDomain(source.domid);
    paused = true;
    await source.pager.settle();
    await round(source.hv.dirtyGfns(source.domid), true);
    for (let pass = 0; sender.pending > 0; pass++) {
      if (pass === 3) throw new Error(`${sender.pending} pages could not be sent with the guest paused: they stayed between paging states, or are paged out with no copy in the source's store`);
      await source.pager.settle();
      await round(source.hv.dirtyGfns(source.domid), true);
    }
    if (owedAtSource === undefined) {
      await sender.end();
      received = await receiver.finish();
    }
    sourcePagerRunning(source.pager); // the hand-over stops it: it must still hold the guest's pages
  } catch (error) {
    // Before the hand-over: the destination keeps nothing, the guest goes on at the source.
    const cause = error instanceof WireBroken ? await brokenStream(receiver) : error;
    await receiver.abort();
    if (destinationPager !== undefined) await destinationPager.pageStore.close();
    source.hv.disableLogDirty(source.domid);
    if (paused) source.hv.unpauseDomain(source.domid);
    return { outcome: 'failed', error: cause, ...totals, bytesSent, byReference: 0, streamed: 0, invariantViolations: violations(source.hv, source.domid) };
  }
  source.hv.disableLogDirty(source.domid);
  if (owedAtSource !== undefined) {
    const early = await takeOverEarly({ source, paged, receiver, owedAtSource, pagerFor: destinationPagerFor });
    phase = new PostcopyPhase({
      sender,
      receiver,
      source: owedAtSource,
      owed: receiver.owed!,
      pager: early.pager,
      runner: destination.runner?.(early.domid),
      transferNs,
      latencyNs: options.linkLatencyNs ?? DEFAULT_LINK_LATENCY_NS,
      reconnects: options.reconnects ?? DEFAULT_RECONNECTS,
      check: () => {
        if (paged === 'stream') sourcePagerRunning(source.pager); // its store holds the owed paged-out pages
        if (early.pager.status !== 'running') throw new Error(`the destination's pager is ${early.pager.status}: it stopped during the post-copy`);
      },
    });
    let postcopy;
    try {
      // The guest resumes; the destination's pager starts, its first page-ins already asking the source.
      phase.open();
      destination.hv.unpauseDomain(early.domid);
      await early.pager.start();
      postcopy = await phase.run();
      received = await receiver.finish();
    } catch (error) {
      await lostInPostcopy(error, receiver, early.pager);
      destination.hv.destroyDomain(early.domid);
      return { outcome: 'failed', error, guestLost: true, ...totals, bytesSent, byReference: 0, streamed: 0, invariantViolations: violations(source.hv, source.domid) };
    }
    totals.totalNs += postcopy.ns;
    if (source.pager.status === 'running') await source.pager.stop('hard');
    source.hv.destroyDomain(source.domid);
    await early.pager.settle();
    const verdict = await guestVerdict(destination.hv, early.domid, early.pager.pageStore);
    return { outcome: 'migrated', destinationDomid: early.domid, destinationPager: early.pager, ...totals, bytesSent, byReference: received.byReference, streamed: received.streamed, postcopy, verdict, invariantViolations: violations(destination.hv, early.domid) };
  }
  // The hand-over. Streamed, the destination's pager has a store of its own: it starts first, and if it
  // cannot, the guest goes on at the source. By reference it opens the source's store, so the source's
  // pager stops first (its pages stay where they are) and there is no pager to go back to.
  const domid = received!.domid;
  if (paged === 'by-reference') await source.pager.stop('hard');
  let pager: Pager;
  try {
    pager = destinationPagerFor(domid);
    await pager.start();
  } catch (error) {
    await receiver.abort().catch(() => undefined); // its store may be the one that failed
    await destinationPager?.pageStore.close().catch(() => undefined);
    const cause =
      paged === 'stream'
        ? error
        : new Error(`the destination's pager could not start after the source's had stopped (${error instanceof Error ? error.message : String(error)}): the guest is paused at the source with its paged-out pages in the shared store; start a pager on it that adopts them (adoptPagedOut) and unpause it`, { cause: error });
    if (paged === 'stream') source.hv.unpauseDomain(source.domid);
    return { outcome: 'failed', error: cause, ...totals, bytesSent, byReference: 0, streamed: 0, invariantViolations: violations(source.hv, source.domid) };
  }
  if (paged === 'stream') await source.pager.stop('hard');
  destination.hv.unpauseDomain(domid);
  source.hv.destroyDomain(source.domid);
  const verdict = await guestVerdict(destination.hv, domid, pager.pageStore);
  return { outcome: 'migrated', destinationDomid: domid, destinationPager: pager, ...totals, bytesSent, byReference: received!.byReference, streamed: received!.streamed, verdict, invariantViolations: violations(destination.hv, domid) };
}

/**
 * Post-copy's take-over on the destination, after the switch-over: by reference, the source's pager
 * stops first (the destination's takes its store over); streamed, it goes on serving the owed paged-out
 * pages from its store. The destination's pager must be built on a {@link PostcopyStore}; the caller
 * starts it and resumes the guest.
 */
async function takeOverEarly(parts: { source: MigrationSource; paged: PagedTransfer; receiver: MigrationReceiver; owedAtSource: PostcopySource; pagerFor: (domid: number) => Pager }): Promise<{ domid: number; pager: Pager }> {
  if (parts.paged === 'by-reference') await parts.source.pager.stop('hard');
  const domid = parts.receiver.domainId!;
  const pager = parts.pagerFor(domid);
  if (!(pager.pageStore instanceof PostcopyStore)) throw new TypeError("post-copy: the destination's createPager must build its store with the wrapStore it is given");
  parts.owedAtSource.begin();
  return { domid, pager };
}

/**
 * A post-copy that cannot finish loses the guest, as QEMU's does: neither host has all of it. The
 * destination's waits fail, its pager stops, the pages the migration and that pager put in its store
 * are deleted; the caller destroys its domain. The source domain stays paused as it was at the
 * switch-over (streamed, its pager still running and holding its paged-out pages).
 */
async function lostInPostcopy(error: unknown, receiver: MigrationReceiver, pager: Pager): Promise<void> {
  receiver.owed!.fail(error);
  await Promise.resolve().then(() => pager.settle()).catch(() => undefined); // a pager that never started throws at once
  const store = pager.pageStore as PostcopyStore;
  await store.dropAll().catch(() => undefined);
  if (pager.status === 'running') await pager.stop('hard').catch(() => undefined);
  else await store.close().catch(() => undefined);
}

/**
 * The source's pager stopped during the migration (its process died, or someone stopped it): the
 * migration cannot hand its pages over, and fails with the guest at the source, its paged-out pages in
 * the store the pager left.
 */
function sourcePagerRunning(pager: Pager): void {
  if (pager.status !== 'running') throw new Error(`the source's pager is ${pager.status}: it stopped during the migration; the guest stays at the source, its paged-out pages in that pager's store`);
}

async function brokenStream(receiver: MigrationReceiver): Promise<unknown> {
  try {
    await receiver.finish();
    return new Error('the connection broke after the END record');
  } catch (error) {
    return error;
  }
}

function violations(hv: SimHypervisor, domid: number): number {
  try {
    hv.auditor?.auditDomain(hv.domain(domid), 'migrate');
    return 0;
  } catch {
    return 1;
  }
}
