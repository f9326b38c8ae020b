import type { Pager } from '@pagevisor/core';
import type { SimHypervisor } from '../sim/sim-hypervisor.js';
import { OP_NANOS, type GuestRunner } from '../workloads/guest-runner.js';
import { guestVerdict, type GuestVerdict } from './guest-verdict.js';
import { MigrationReceiver } from './migration-receiver.js';
import { PrecopySender, type PagedTransfer } from './precopy-sender.js';

/** Xen's defaults for a live save (xc_sr_save.c, RELEASE-4.6.0: max_iterations 5, dirty_threshold 50). */
const XEN_MAX_ROUNDS = 5;
const XEN_DIRTY_THRESHOLD = 50;
/** 10 GbE. */
const DEFAULT_LINK_BYTES_PER_SECOND = 1.25e9;

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
 * const destination: MigrationDestination = { hv: b, createPager: (domid) => createPager({ hypervisor: b, domid, policy: xenpaging(), store: memoryStore() }) };
 * ```
 */
export interface MigrationDestination {
  /** The destination host. */
  readonly hv: SimHypervisor;
  /**
   * Builds the destination's pager for the new domain, not started: the migration adopts the
   * paged-out pages and starts it. For `stream` it is built at the first streamed page, whose store
   * takes them; for `by-reference` after the source's pager has stopped, so its store can open the
   * shared one.
   */
  readonly createPager: (domid: number) => Pager;
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
  /** How paged-out pages travel (default `stream`). */
  readonly paged?: PagedTransfer;
  /** `by-reference`: how the source's store names itself (a pagefile's path, a Redis cluster's address). */
  readonly storeRef?: string;
  /** Rounds before the guest is paused, the first (every page) included (default 5, Xen's). */
  readonly maxRounds?: number;
  /** Dirty pages at or below which the guest is paused for the last round (default 50, Xen's). */
  readonly dirtyThreshold?: number;
  /** The link's speed, for virtual time: how long each round takes, and so how long the guest runs meanwhile (default 10 GbE). */
  readonly linkBytesPerSecond?: number;
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
  /** `migrated`: the guest runs on the destination, the source domain is gone; `failed`: it goes on at the source, unchanged but for what it did meanwhile. */
  readonly outcome: 'migrated' | 'failed';
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
  /** Virtual time the guest was paused: the last round over the link. */
  readonly downtimeNs: number;
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
  const link = options.linkBytesPerSecond ?? DEFAULT_LINK_BYTES_PER_SECOND;
  const transferNs = (bytes: number) => (bytes * 1e9) / link;
  let destinationPager: Pager | undefined;
  const storeFor = (domid: number) => (destinationPager ??= destination.createPager(domid)).pageStore;
  const receiver = new MigrationReceiver(destination.hv, { seed: guest.seed, vcpus: guest.vcpus }, paged === 'stream' ? storeFor : undefined, destination.reachableStore);
  let chunks = 0;
  let bytesSent = 0;
  const deliver = async (bytes: Uint8Array): Promise<void> => {
    const arrived = options.wire === undefined ? bytes : options.wire(bytes, chunks);
    chunks++;
    if (arrived === null) throw new WireBroken();
    bytesSent += arrived.length;
    await receiver.push(arrived);
  };
  const sender = new PrecopySender(source.hv, source.domid, deliver, { paged, store: source.pager.pageStore, storeRef: options.storeRef });
  const totals = { rounds: 0, pagesSent: 0, downtimeNs: 0, totalNs: 0 };
  const round = async (gfns: Uint32Array | 'all', paused: boolean): Promise<void> => {
    sourcePagerRunning(source.pager);
    const sent = await sender.round(++totals.rounds, gfns);
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
    while (totals.rounds < (options.maxRounds ?? XEN_MAX_ROUNDS) && dirtyNow() > (options.dirtyThreshold ?? XEN_DIRTY_THRESHOLD)) {
      await round(source.hv.dirtyGfns(source.domid), false);
    }
    // Stop and copy: the guest is paused, its pager finishes what it started, the rest goes.
    source.hv.pauseDomain(source.domid);
    paused = true;
    await source.pager.settle();
    await round(source.hv.dirtyGfns(source.domid), true);
    for (let pass = 0; sender.pending > 0; pass++) {
      if (pass === 3) throw new Error(`${sender.pending} pages stayed between paging states with the guest paused`);
      await source.pager.settle();
      await round(source.hv.dirtyGfns(source.domid), true);
    }
    await sender.end();
    received = await receiver.finish();
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
  // The hand-over: the source's pager stops and leaves its pages where they are (by reference, its store
  // is the destination's now); the destination adopts them, starts its pager and resumes the guest.
  source.hv.disableLogDirty(source.domid);
  await source.pager.stop('hard');
  destination.hv.adoptVersions(received.domid, guest);
  destinationPager ??= destination.createPager(received.domid);
  destinationPager.adoptPagedOut(received.pagedOut);
  destination.hv.setTarget(received.domid, guest.targetPages);
  await destinationPager.start();
  destination.hv.unpauseDomain(received.domid);
  source.hv.destroyDomain(source.domid);
  const verdict = await guestVerdict(destination.hv, received.domid, destinationPager.pageStore);
  return { outcome: 'migrated', destinationDomid: received.domid, destinationPager, ...totals, bytesSent, byReference: received.byReference, streamed: received.streamed, verdict, invariantViolations: violations(destination.hv, received.domid) };
}

/**
 * The source's pager stopped during the migration (its process died, or someone stopped it): the
 * migration cannot hand its pages over, and fails with the guest at the source, its paged-out pages in
 * the store the pager left.
 */
function sourcePagerRunning(pager: Pager): void {
  if (pager.status !== 'running') throw new Error(`the source's pager is ${pager.status}: it stopped during the migration; the guest stays at the source, its paged-out pages in that pager's store`);
}

/** The connection broke: what the destination makes of the stream it got (MIGRATION_TRUNCATED). */
class WireBroken extends Error {}

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
