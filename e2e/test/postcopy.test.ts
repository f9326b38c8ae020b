import { createPager, isPagevisorError, PAGE_STORE, type PageStore, type Pager, type PagevisorPlugin } from '@pagevisor/core';
import { xenpaging } from '@pagevisor/policies';
import { memoryStore, pagefileStore, PagefileStore } from '@pagevisor/storage';
import { faultyStore, GuestRunner, guestVerdict, migrate, mixWorkload, type FaultyStore, type MigrateOptions } from '@pagevisor/testing';
import { describe, expect, it } from 'vitest';
import { guestUnderWorkloadAndEmptyHost, MIGRATED_PAGES, tempPagefile } from './support.js';

const ABI = 'vm_event/v7';
/** A fast link keeps the guest's share of each round short (the rounds' virtual time is what it runs for). */
const LINK = 2e10;

/** A guest paged to half on host A under a writing workload, host B empty; post-copy options, the guest working on at B. */
async function twoHosts(store: () => PagevisorPlugin = () => memoryStore(), destinationStore: () => PagevisorPlugin = () => memoryStore()) {
  const { hv, guest, pager, runner, target } = await guestUnderWorkloadAndEmptyHost(ABI, store());
  const built: Pager[] = [];
  const options: MigrateOptions = {
    mode: 'postcopy',
    source: { hv, domid: guest.domid, pager, runner },
    linkBytesPerSecond: LINK,
    destination: {
      hv: target,
      createPager: (domid, wrapStore) => built[built.push(createPager({ hypervisor: target, domid, policy: xenpaging(), store: wrapStore(destinationStore()), abi: ABI })) - 1]!,
      runner: (domid) => new GuestRunner(target, domid, mixWorkload({ pages: MIGRATED_PAGES, accesses: 100_000, seed: 5 })),
    },
  };
  return { hv, guest, pager, target, options, destinationPager: () => built[0]! };
}

const POSTCOPY_MISSING = 0x4000_0005;
const ROUND = 0x4000_0004;

/**
 * A wire hook that lets the stream through until the `nth` record after the switch-over (the ROUND
 * after the POSTCOPY_MISSING records), then calls `at` with that record; `at` says what arrives.
 */
function afterSwitchOver(nth: number, at: (chunk: Uint8Array, index: number) => Uint8Array | null) {
  let missingSeen = false;
  let after = -1;
  return (chunk: Uint8Array, index: number): Uint8Array | null => {
    const type = chunk.length >= 8 ? new DataView(chunk.buffer, chunk.byteOffset).getUint32(0, true) : -1;
    if (after < 0) {
      if (type === POSTCOPY_MISSING) missingSeen = true;
      else if (type === ROUND && missingSeen) after = 0;
      return chunk;
    }
    return ++after >= nth ? at(chunk, index) : chunk;
  };
}

/**
 * The destination's store with every call held back a seeded 0 to 3 turns of the event loop before it
 * starts and after it ends: the source's pages land, and the pager reads, evicts and deletes, in other
 * orders for every seed.
 */
function jittered(inner: PagevisorPlugin, seed: number): PagevisorPlugin {
  let state = seed >>> 0 || 1;
  const turns = async () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    for (let n = state >>> 30; n > 0; n--) await new Promise((resolve) => setImmediate(resolve));
  };
  const around = async <T>(call: () => Promise<T>): Promise<T> => {
    await turns();
    const result = await call();
    await turns();
    return result;
  };
  return {
    name: inner.name,
    register(container, context) {
      inner.register(container, context);
      const store = container.resolve(PAGE_STORE);
      const held: PageStore = {
        name: store.name,
        durable: store.durable,
        writeBatch: (...args) => around(() => store.writeBatch(...args)),
        readBatch: (...args) => around(() => store.readBatch(...args)),
        deleteBatch: (...args) => around(() => store.deleteBatch(...args)),
        flush: () => around(() => store.flush()),
        close: () => store.close(),
        [Symbol.asyncDispose]: () => store.close(),
        stats: () => store.stats(),
      };
      container.provide(PAGE_STORE, held);
    },
  };
}

/** After a post-copy that lost the guest: the destination holds nothing, the source domain is paused as it was at the switch-over. */
async function expectLost(report: Awaited<ReturnType<typeof migrate>>, hosts: Awaited<ReturnType<typeof twoHosts>>) {
  const { hv, guest, pager, target } = hosts;
  expect([report.outcome, report.guestLost]).toEqual(['failed', true]);
  expect(target.listDomains()).toEqual([]);
  expect([guest.controllerPauses, report.invariantViolations]).toEqual([1, 0]);
  expect(hv.listDomains().some((d) => d.domid === guest.domid)).toBe(true);
  expect((await guestVerdict(hv, guest.domid, pager.pageStore)).mismatches).toEqual([]);
}

describe('post-copy migration between two simulated hosts', { timeout: 60_000 }, () => {
  it('resumes the guest on the destination after one round; its faults fetch owed pages first, the push brings the rest', async () => {
    const { hv, guest, target, options } = await twoHosts();
    const report = await migrate(options);
    expect(report.outcome).toBe('migrated');
    expect(report.verdict!.mismatches).toEqual([]);
    expect(report.invariantViolations).toBe(0);
    expect(report.rounds).toBe(2); // the first (every page), then the switch-over
    const postcopy = report.postcopy!;
    expect(postcopy.owed).toBeGreaterThan(100);
    expect(postcopy.requested).toBeGreaterThan(0);
    expect(postcopy.pushed).toBeGreaterThan(0);
    expect(postcopy.requested + postcopy.pushed).toBeLessThanOrEqual(postcopy.owed); // none sent twice (some given up by the balloon)
    expect(postcopy.requests).toBeGreaterThan(0);
    expect(postcopy.recoveries).toBe(0);
    // The pause is the switch-over: a list of gfns, far less than the owed pages' bytes.
    expect(report.downtimeNs).toBeGreaterThan(0);
    expect(report.downtimeNs).toBeLessThan((postcopy.owed * 4096 * 1e9) / LINK / 100);
    expect(hv.listDomains().some((d) => d.domid === guest.domid)).toBe(false);
    // The guest goes on at the destination, at its target again.
    const moved = target.domain(report.destinationDomid!);
    expect(moved.totPages).toBe(guest.targetPages);
    const after = await new GuestRunner(target, moved.domid, mixWorkload({ pages: MIGRATED_PAGES, accesses: 20_000, seed: 9 })).run(() => report.destinationPager!.settle());
    expect(after.stalled).toBe(false);
    expect((await guestVerdict(target, moved.domid, report.destinationPager!.pageStore)).mismatches).toEqual([]);
    await report.destinationPager!.stop('hard');
  });

  it('in every order the seeds give to landings and the pager\'s reads, evictions and deletes, every page arrives once', async () => {
    for (const seed of [1, 2, 3]) {
      const { options, target } = await twoHosts(undefined, () => jittered(memoryStore(), seed));
      const report = await migrate(options);
      expect([report.outcome, report.verdict?.mismatches, report.invariantViolations], `seed ${seed}: ${String(report.error)}`).toEqual(['migrated', [], 0]);
      expect(report.postcopy!.requested + report.postcopy!.pushed).toBeLessThanOrEqual(report.postcopy!.owed);
      await report.destinationPager!.stop('hard');
      expect(target.listDomains().length).toBe(1);
    }
  });

  it('by reference over a shared pagefile: paged-out pages stay in it, only resident ones are owed', async () => {
    const path = tempPagefile();
    const { options } = await twoHosts(() => pagefileStore({ path }), () => pagefileStore({ path }));
    const report = await migrate({ ...options, paged: 'by-reference', storeRef: path, destination: { ...options.destination, reachableStore: path } });
    expect(report.outcome).toBe('migrated');
    expect(report.verdict!.mismatches).toEqual([]);
    expect(report.invariantViolations).toBe(0);
    expect(report.byReference).toBeGreaterThan(0);
    expect(report.streamed).toBe(0);
    expect(report.postcopy!.owed).toBeGreaterThan(0);
    await report.destinationPager!.stop('hard');
  });

  it('a connection that breaks during post-copy is made again (the second attempt): the destination says what it lacks, the source goes on', async () => {
    const hosts = await twoHosts();
    let breaks = 0;
    const report = await migrate({ ...hosts.options, wire: afterSwitchOver(2, (chunk) => (breaks++ < 2 ? null : chunk)) });
    expect(report.outcome).toBe('migrated');
    // The first attempt broke on its headers; the second made it.
    expect(report.postcopy!.recoveries).toBe(1);
    expect(report.verdict!.mismatches).toEqual([]);
    expect(report.invariantViolations).toBe(0);
    expect(hosts.hv.listDomains().some((d) => d.domid === hosts.guest.domid)).toBe(false);
    await report.destinationPager!.stop('hard');
  });

  it('a connection that cannot be made again loses the guest cleanly: nothing on the destination, the source paused and intact', async () => {
    const hosts = await twoHosts();
    const report = await migrate({ ...hosts.options, reconnects: 2, wire: afterSwitchOver(3, () => null) });
    expect((report.error as Error).message).toMatch(/the connection broke and 2 attempts to make it again failed/);
    await expectLost(report, hosts);
    await hosts.pager.stop('hard');
  });

  it('a record damaged after the switch-over is found by its CRC32 and sent again over a connection made again', async () => {
    const hosts = await twoHosts();
    let corrupted = false;
    const flip = (chunk: Uint8Array) => {
      const copy = chunk.slice();
      copy[100 % copy.length]! ^= 0xff;
      return copy;
    };
    const report = await migrate({ ...hosts.options, wire: afterSwitchOver(2, (chunk) => (corrupted ? chunk : ((corrupted = true), flip(chunk)))) });
    expect([corrupted, report.outcome, report.postcopy?.recoveries, report.verdict?.mismatches, report.invariantViolations]).toEqual([true, 'migrated', 1, [], 0]);
    await report.destinationPager!.stop('hard');
  });

  it("when the destination's pager dies during post-copy, the guest is lost cleanly", async () => {
    const hosts = await twoHosts();
    let stopped: Promise<unknown> | undefined;
    const report = await migrate({ ...hosts.options, wire: afterSwitchOver(2, (chunk) => ((stopped ??= hosts.destinationPager().stop('hard')), chunk)) });
    await stopped;
    expect((report.error as Error).message).toMatch(/the destination's pager is stop(ping|ped): it stopped during the post-copy/);
    await expectLost(report, hosts);
    await hosts.pager.stop('hard');
  });

  it("when the source's pager dies during a streamed post-copy, the guest is lost cleanly; its pages stay in its pagefile", async () => {
    const path = tempPagefile();
    const hosts = await twoHosts(() => pagefileStore({ path }));
    let stopped: Promise<unknown> | undefined;
    const report = await migrate({ ...hosts.options, wire: afterSwitchOver(2, (chunk) => ((stopped ??= hosts.pager.stop('hard')), chunk)) });
    await stopped;
    // Whichever the push meets first: the check of the pager, or the store the dead pager closed.
    expect((report.error as Error).message).toMatch(/the source's pager is stop(ping|ped)|pagefile .* is closed/);
    expect([report.outcome, report.guestLost, hosts.target.listDomains().length, hosts.guest.controllerPauses, report.invariantViolations]).toEqual(['failed', true, 0, 1, 0]);
    await using left = await PagefileStore.open({ path, readOnly: true }, hosts.guest.maxPages);
    expect((await guestVerdict(hosts.hv, hosts.guest.domid, left)).mismatches).toEqual([]);
  });

  it("when the source's store stops answering during the push, the guest is lost cleanly", async () => {
    let disk!: FaultyStore;
    const hosts = await twoHosts(() => faultyStore(memoryStore(), (s) => (disk = s)));
    const report = await migrate({ ...hosts.options, wire: afterSwitchOver(1, (chunk) => (disk.inject('read'), chunk)) });
    expect(isPagevisorError(report.error, 'STORE_IO')).toBe(true);
    disk.heal();
    await expectLost(report, hosts);
    await hosts.pager.stop('hard');
  });
});
