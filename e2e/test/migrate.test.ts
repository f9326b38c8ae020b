import { createPager, isPagevisorError, type PagevisorPlugin } from '@pagevisor/core';
import { xenpaging } from '@pagevisor/policies';
import { memoryStore, pagefileStore, PagefileStore } from '@pagevisor/storage';
import { faultyStore, GuestRunner, guestVerdict, migrate, mixWorkload, P2mType, type FaultyStore, type MigrateOptions } from '@pagevisor/testing';
import { describe, expect, it } from 'vitest';
import { guestUnderWorkloadAndEmptyHost, MIGRATED_PAGES, tempPagefile } from './support.js';

const ABI = 'vm_event/v7';

/** A guest paged to half on host A with a writing workload, host B empty; options for migrate. */
async function twoHosts(store: () => PagevisorPlugin = () => memoryStore(), destinationStore: () => PagevisorPlugin = () => memoryStore()) {
  const { hv, guest, pager, runner, target } = await guestUnderWorkloadAndEmptyHost(ABI, store());
  const options: MigrateOptions = {
    source: { hv, domid: guest.domid, pager, runner },
    // A fast link keeps the guest's share of each round short (the rounds' virtual time is what it runs for).
    linkBytesPerSecond: 2e10,
    destination: { hv: target, createPager: (domid) => createPager({ hypervisor: target, domid, policy: xenpaging(), store: destinationStore(), abi: ABI }) },
  };
  return { hv, guest, pager, target, options, pagedBefore: guest.pagedPages };
}

describe('pre-copy migration between two simulated hosts', { timeout: 60_000 }, () => {
  it('streams a paged guest under a writing workload: every page arrives, paged-out ones never paged in at the source', async () => {
    const { hv, guest, pager, target, options, pagedBefore } = await twoHosts();
    const prefetchedBefore = pager.stats.prefetched;
    const report = await migrate(options);
    expect(report.outcome).toBe('migrated');
    expect(report.verdict!.mismatches).toEqual([]);
    expect(report.invariantViolations).toBe(0);
    expect(report.rounds).toBeGreaterThanOrEqual(2);
    expect(report.streamed).toBeGreaterThan(pagedBefore / 2);
    expect([report.byReference, pager.stats.prefetched - prefetchedBefore]).toEqual([0, 0]);
    expect(report.downtimeNs).toBeGreaterThan(0);
    expect(report.downtimeNs).toBeLessThan(report.totalNs);
    expect(hv.listDomains().some((d) => d.domid === guest.domid)).toBe(false);
    const moved = target.domain(report.destinationDomid!);
    expect(moved.pagedPages).toBeGreaterThan(0);
    // Every gfn of the guest's memory was checked: resident or paged out (the balloon took a few of its RAM gfns).
    expect(report.verdict!.checked).toBe(moved.totPages + moved.pagedPages);
    expect(report.verdict!.checked).toBeGreaterThan(MIGRATED_PAGES * 0.9);
    // The guest goes on at the destination, its pager paging it.
    const after = await new GuestRunner(target, moved.domid, mixWorkload({ pages: MIGRATED_PAGES, accesses: 20_000, seed: 9 })).run(() => report.destinationPager!.settle());
    expect(after.stalled).toBe(false);
    expect((await guestVerdict(target, moved.domid, report.destinationPager!.pageStore)).mismatches).toEqual([]);
    await report.destinationPager!.stop('hard');
  });

  it('by reference over a shared pagefile: only the gfns of paged-out pages travel', async () => {
    const path = tempPagefile();
    const { options, pagedBefore } = await twoHosts(() => pagefileStore({ path }), () => pagefileStore({ path }));
    const report = await migrate({ ...options, paged: 'by-reference', storeRef: path, destination: { ...options.destination, reachableStore: path } });
    expect(report.outcome).toBe('migrated');
    expect(report.verdict!.mismatches).toEqual([]);
    expect(report.streamed).toBe(0);
    expect(report.byReference).toBeGreaterThan(pagedBefore / 2);
    expect(report.verdict!.pagedOut).toBeGreaterThan(0);
    const streamed = await migrate((await twoHosts()).options);
    expect(report.bytesSent).toBeLessThan(streamed.bytesSent * 0.75);
    await report.destinationPager!.stop('hard');
    await streamed.destinationPager!.stop('hard');
  });

  for (const [fault, code, wire] of [
    ['a corrupted record', 'MIGRATION_CHECKSUM', (chunk: Uint8Array, index: number) => (index === 6 ? flipByte(chunk, 100) : chunk)],
    ['a broken connection', 'MIGRATION_TRUNCATED', (chunk: Uint8Array, index: number) => (index === 9 ? null : chunk)],
  ] as const) {
    it(`after ${fault} the destination keeps nothing and the guest goes on at the source (${code})`, async () => {
      const { hv, guest, pager, target, options } = await twoHosts();
      const report = await migrate({ ...options, wire });
      expect(report.outcome).toBe('failed');
      expect(isPagevisorError(report.error, code)).toBe(true);
      expect(target.listDomains()).toEqual([]);
      expect([guest.controllerPauses, hv.domainInfo(guest.domid).paging, report.invariantViolations]).toEqual([0, true, 0]);
      expect(() => hv.dirtyGfns(guest.domid)).toThrow(/not in log-dirty mode/);
      const run = await options.source.runner!.run(() => pager.settle(), 10_000);
      expect(run.stalled).toBe(false);
      expect((await guestVerdict(hv, guest.domid, pager.pageStore)).mismatches).toEqual([]);
      await pager.stop('hard');
    });
  }

  it('when the source store stops answering reads, the migration fails and the guest goes on once it is back', async () => {
    let disk!: FaultyStore;
    const { hv, guest, pager, target, options } = await twoHosts(() => faultyStore(memoryStore(), (s) => (disk = s)));
    disk.inject('read');
    const report = await migrate({ ...options, source: { ...options.source, runner: undefined } });
    expect([report.outcome, isPagevisorError(report.error, 'STORE_IO'), target.listDomains().length, guest.controllerPauses]).toEqual(['failed', true, 0, 0]);
    disk.heal();
    expect((await options.source.runner!.run(() => pager.settle(), 10_000)).stalled).toBe(false);
    expect((await guestVerdict(hv, guest.domid, pager.pageStore)).mismatches).toEqual([]);
    await pager.stop('hard');
  });

  it("when the destination's store refuses writes, the destination keeps nothing and the guest stays", async () => {
    let disk!: FaultyStore;
    const { hv, guest, pager, target, options } = await twoHosts(undefined, () => faultyStore(memoryStore(), (s) => ((disk = s), s.inject('write'))));
    const report = await migrate(options);
    expect([report.outcome, isPagevisorError(report.error, 'STORE_IO'), target.listDomains().length, guest.controllerPauses]).toEqual(['failed', true, 0, 0]);
    expect(disk.stats().pages).toBe(0);
    expect((await guestVerdict(hv, guest.domid, pager.pageStore)).mismatches).toEqual([]);
    await pager.stop('hard');
  });

  it("when the source's pager dies during the rounds, the migration fails and the guest's pages stay in its pagefile", async () => {
    const path = tempPagefile();
    const { hv, guest, pager, target, options } = await twoHosts(() => pagefileStore({ path }), () => pagefileStore({ path }));
    let stopped: Promise<unknown> | undefined;
    const report = await migrate({
      ...options,
      paged: 'by-reference',
      storeRef: path,
      destination: { ...options.destination, reachableStore: path },
      wire: (chunk, index) => {
        if (index === 3) stopped = pager.stop('hard'); // the pager's process dies
        return chunk;
      },
    });
    await stopped;
    expect(report.outcome).toBe('failed');
    expect((report.error as Error).message).toMatch(/the source's pager is stop(ping|ped): it stopped during the migration/);
    expect([target.listDomains().length, guest.controllerPauses]).toEqual([0, 0]);
    expect(() => hv.dirtyGfns(guest.domid)).toThrow(/not in log-dirty mode/);
    await using left = await PagefileStore.open({ path, readOnly: true }, guest.maxPages);
    expect((await guestVerdict(hv, guest.domid, left)).mismatches).toEqual([]);
  });

  it("a paged-out page whose copy is missing from the source's store is deferred, not sent empty: the migration fails and the guest stays", async () => {
    const { hv, guest, pager, target, options } = await twoHosts();
    const lost = guest.p2mType.findIndex((type, gfn) => type === P2mType.ram_paged && guest.p2mMfn[gfn] === -1);
    await pager.pageStore.deleteBatch(Uint32Array.of(lost), 1);
    const report = await migrate({ ...options, source: { ...options.source, runner: undefined } });
    expect(report.outcome).toBe('failed');
    expect((report.error as Error).message).toMatch(/^1 pages could not be sent with the guest paused: .* or are paged out with no copy in the source's store$/);
    expect([target.listDomains().length, guest.controllerPauses, pager.status, report.invariantViolations]).toEqual([0, 0, 'running', 0]);
    await pager.stop('hard');
  });

  it("streamed, a destination pager that cannot start is found before the source's stops: the guest goes on at the source", async () => {
    const { hv, guest, pager, target, options } = await twoHosts(undefined, () => faultyStore(memoryStore(), (s) => s.inject('flush')));
    const report = await migrate(options);
    expect([report.outcome, isPagevisorError(report.error, 'STORE_IO'), target.listDomains().length, guest.controllerPauses, pager.status]).toEqual(['failed', true, 0, 0, 'running']);
    expect(report.invariantViolations).toBe(0);
    expect((await options.source.runner!.run(() => pager.settle(), 10_000)).stalled).toBe(false);
    expect((await guestVerdict(hv, guest.domid, pager.pageStore)).mismatches).toEqual([]);
    await pager.stop('hard');
  });

  it("by reference, a destination pager that cannot start after the source's stopped leaves the guest paused at the source, its pages in the shared store", async () => {
    const path = tempPagefile();
    const { hv, guest, pager, target, options } = await twoHosts(() => pagefileStore({ path }), () => faultyStore(pagefileStore({ path }), (s) => s.inject('flush')));
    const report = await migrate({ ...options, paged: 'by-reference', storeRef: path, destination: { ...options.destination, reachableStore: path } });
    expect(report.outcome).toBe('failed');
    expect((report.error as Error).message).toMatch(/could not start after the source's had stopped .*: the guest is paused at the source with its paged-out pages in the shared store/);
    expect([target.listDomains().length, guest.controllerPauses, pager.status, report.invariantViolations]).toEqual([0, 1, 'stopped', 0]);
    await using left = await PagefileStore.open({ path, readOnly: true }, guest.maxPages);
    expect((await guestVerdict(hv, guest.domid, left)).mismatches).toEqual([]);
  });

  it('refuses a shared store the destination does not reach, before anything is handed over', async () => {
    const { guest, pager, target, options } = await twoHosts();
    const report = await migrate({ ...options, paged: 'by-reference', storeRef: '/srv/a.pagefile', destination: { ...options.destination, reachableStore: '/srv/b.pagefile' } });
    expect(report.outcome).toBe('failed');
    expect((report.error as Error).message).toMatch(/STORE_REF names "\/srv\/a.pagefile", which this host does not reach/);
    expect([target.listDomains().length, guest.controllerPauses]).toEqual([0, 0]);
    await pager.stop('hard');
  });
});

function flipByte(chunk: Uint8Array, at: number): Uint8Array {
  const copy = chunk.slice();
  copy[at % copy.length] = copy[at % copy.length]! ^ 0xff;
  return copy;
}
