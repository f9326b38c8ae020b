import { describe, expect, it } from 'vitest';
import { createOfflineManager, createPager, isPagevisorError, PG_OFFLINE, type OfflineReport } from '@pagevisor/core';
import { hvmRelocate, migrateRequired } from '@pagevisor/offline';
import { xenpaging } from '@pagevisor/policies';
import { memoryStore } from '@pagevisor/storage';
import { FrameState, GuestRunner, guestVerdict, localMigration, SimHypervisor, zipfWorkload, type MigrationReport } from '@pagevisor/testing';

function guest(paging: boolean, abi = 'vm_event/v7') {
  const hv = new SimHypervisor({ abi, audit: true, machineFrames: 8192 });
  const domain = hv.createDomain({ maxPages: 2048, vcpus: 2, seed: 3 });
  const pager = paging ? createPager({ hypervisor: hv, domid: domain.domid, policy: xenpaging(), store: memoryStore() }) : undefined;
  const offline = createOfflineManager({ hypervisor: hv, handlers: [hvmRelocate(), migrateRequired()], pagers: pager ? [pager] : [] });
  const reports: OfflineReport[] = [];
  offline.offline$.subscribe((r) => reports.push(r));
  return { hv, domain, pager, offline, reports };
}

/** An HVM guest of 2048 pages with a started pager on Xen 4.1's ABI (whose prep does not load the page: hvm-relocate cannot), on a host of `machineFrames`. */
async function pagedOn41(machineFrames: number) {
  const abi = 'mem_event/age2';
  const hv = new SimHypervisor({ abi, audit: true, machineFrames });
  const domain = hv.createDomain({ maxPages: 2048, vcpus: 2, seed: 3 });
  const pager = createPager({ hypervisor: hv, domid: domain.domid, policy: xenpaging(), store: memoryStore(), abi });
  await pager.start();
  return { hv, domain, pager, abi };
}

describe('OfflineManager with the HVM handlers', () => {
  it('hvm-relocate: moves the gfn to a fresh frame through paging; the bad frame ends offlined and is never allocated again', async () => {
    const { hv, domain, pager, offline, reports } = guest(true);
    await pager!.start();
    const gfn = 700;
    const bad = domain.p2mMfn[gfn]!;
    const report = await offline.offlinePage(bad);
    expect(report).toMatchObject({ mfn: bad, domid: domain.domid, handler: 'hvm-relocate', result: 0, frameStatus: 'offlined' });
    expect(report.status & PG_OFFLINE.OWNED).toBeTruthy();
    expect(reports).toEqual([report]);
    expect(domain.p2mMfn[gfn]).not.toBe(bad);
    expect(hv.frames.m2p[domain.p2mMfn[gfn]!]).toBe(gfn);
    expect(hv.frames.state[bad]).toBe(FrameState.offlined);
    expect(hv.contentMismatches(domain.domid).mismatches).toEqual([]);
    // The guest keeps running under the pager, paged down to a quarter; the bad frame never comes back.
    hv.setTarget(domain.domid, 512);
    await new GuestRunner(hv, domain.domid, zipfWorkload({ pages: 1800, accesses: 5000, seed: 1 })).run(() => pager!.settle());
    await pager!.stop('graceful');
    expect(hv.frames.state[bad]).toBe(FrameState.offlined);
    expect(Array.from(domain.p2mMfn).includes(bad)).toBe(false);
    expect(hv.contentMismatches(domain.domid).mismatches).toEqual([]);
  });

  it('hvm-relocate refuses a gfn mapped by a backend: -1, nothing moved, the frame stays offline-pending', async () => {
    const { hv, domain, pager, offline } = guest(true);
    await pager!.start();
    const gfn = 800;
    const bad = domain.p2mMfn[gfn]!;
    const mapping = hv.mapForeign(domain.domid, gfn, true);
    const report = await offline.offlinePage(bad);
    expect(report).toMatchObject({ handler: 'hvm-relocate', result: -1, frameStatus: 'offline-pending' });
    expect(report.reason).toMatch(/in use/);
    expect(domain.p2mMfn[gfn]).toBe(bad);
    hv.unmapForeign(mapping);
    expect(hv.contentMismatches(domain.domid).mismatches).toEqual([]);
    await pager!.stop('graceful');
  });

  it("hvm-relocate takes the ring's protocol from the pagers it is given: a pager it was not given, or one of Xen 4.1's ABI, leaves the page to migrate-required", async () => {
    for (const [abi, listed] of [['vm_event/v7', false], ['mem_event/age2', true]] as const) {
      const hv = new SimHypervisor({ abi, audit: true, machineFrames: 8192 });
      const domain = hv.createDomain({ maxPages: 2048, vcpus: 2, seed: 3 });
      const pager = createPager({ hypervisor: hv, domid: domain.domid, policy: xenpaging(), store: memoryStore(), abi });
      await pager.start();
      const offline = createOfflineManager({ hypervisor: hv, handlers: [hvmRelocate(), migrateRequired()], pagers: listed ? [pager] : [] });
      const bad = domain.p2mMfn[700]!;
      expect(await offline.offlinePage(bad), abi).toMatchObject({ handler: 'migrate-required', result: 'declined', frameStatus: 'offline-pending' });
      expect(domain.p2mMfn[700]).toBe(bad);
      await pager.stop('graceful');
      expect(hv.contentMismatches(domain.domid).mismatches).toEqual([]);
    }
  });

  it("Xen 4.1's ABI, where hvm-relocate cannot: migrate-required migrates the domain to fresh frames on the host; the frame goes offline", async () => {
    const { hv, domain, pager, abi } = await pagedOn41(8192);
    hv.setTarget(domain.domid, 1024);
    await new GuestRunner(hv, domain.domid, zipfWorkload({ pages: 1800, accesses: 5000, seed: 1 })).run(() => pager.settle());
    const moved: MigrationReport[] = [];
    const move = localMigration({
      hv,
      pagerOf: (domid) => (domid === domain.domid ? pager : undefined),
      createPager: (domid, wrapStore) => createPager({ hypervisor: hv, domid, policy: xenpaging(), store: wrapStore(memoryStore()), abi }),
      onMigrated: (report) => moved.push(report),
    });
    const offline = createOfflineManager({ hypervisor: hv, handlers: [hvmRelocate(), migrateRequired({ localMigration: move })], pagers: [pager] });
    const gfn = [...domain.p2mMfn].findIndex((mfn, at) => at > 600 && mfn >= 0);
    const bad = domain.p2mMfn[gfn]!;
    const report = await offline.offlinePage(bad);
    expect(report).toMatchObject({ handler: 'migrate-required', result: 0, frameStatus: 'offlined' });
    expect(report.reason).toMatch(new RegExp(`migrated to fresh frames on this host, as domain ${moved[0]!.destinationDomid}`));
    expect(hv.listDomains().map((d) => d.domid)).toEqual([moved[0]!.destinationDomid]);
    expect(hv.frames.state[bad]).toBe(FrameState.offlined);
    const copy = hv.domain(moved[0]!.destinationDomid!);
    expect(Array.from(copy.p2mMfn).includes(bad)).toBe(false);
    expect(copy.pagedPages).toBeGreaterThan(0); // its paged-out pages moved without a page-in
    const newPager = moved[0]!.destinationPager!;
    expect((await guestVerdict(hv, copy.domid, newPager.pageStore)).mismatches).toEqual([]);
    // The guest goes on under its new pager; the bad frame never comes back.
    await new GuestRunner(hv, copy.domid, zipfWorkload({ pages: 1800, accesses: 5000, seed: 2 })).run(() => newPager.settle());
    expect(hv.frames.state[bad]).toBe(FrameState.offlined);
    expect((await guestVerdict(hv, copy.domid, newPager.pageStore)).mismatches).toEqual([]);
    await newPager.stop('hard');
  });

  it('a local migration that does not fit on the host is declined: the domain goes on as it was, the frame stays offline-pending', async () => {
    const { hv, domain, pager, abi } = await pagedOn41(2600);
    const move = localMigration({ hv, pagerOf: () => pager, createPager: (domid, wrapStore) => createPager({ hypervisor: hv, domid, policy: xenpaging(), store: wrapStore(memoryStore()), abi }) });
    const offline = createOfflineManager({ hypervisor: hv, handlers: [hvmRelocate(), migrateRequired({ localMigration: move })], pagers: [pager] });
    const bad = domain.p2mMfn[700]!;
    const report = await offline.offlinePage(bad);
    expect(report).toMatchObject({ handler: 'migrate-required', result: 'declined', frameStatus: 'offline-pending' });
    expect(report.reason).toMatch(/a local migration could not be done \(.*no free machine frame.*\)/);
    expect(hv.listDomains().map((d) => d.domid)).toEqual([domain.domid]);
    expect([domain.p2mMfn[700], domain.controllerPauses, pager.status]).toEqual([bad, 0, 'running']);
    expect((await guestVerdict(hv, domain.domid, pager.pageStore)).mismatches).toEqual([]);
    await pager.stop('graceful');
  });

  it('an HVM domain without paging: migrate-required declines, with the remedy, and nothing changes', async () => {
    const { hv, domain, offline } = guest(false);
    const bad = domain.p2mMfn[900]!;
    const report = await offline.offlinePage(bad);
    expect(report).toMatchObject({ handler: 'migrate-required', result: 'declined', frameStatus: 'offline-pending' });
    expect(report.reason).toMatch(/live-migrate/);
    expect(domain.p2mMfn[900]).toBe(bad);
    expect(hv.contentMismatches(domain.domid).mismatches).toEqual([]);
  });

  it('a free frame goes offline at once; online brings it back; a broken one stays offline; an invalid one is EINVAL', async () => {
    const { hv, offline } = guest(false);
    const free = 8000;
    expect(hv.frames.state[free]).toBe(FrameState.free);
    expect(await offline.offlinePage(free)).toMatchObject({ status: PG_OFFLINE.OFFLINED, frameStatus: 'offlined' });
    expect(offline.onlinePage(free)).toBe(PG_OFFLINE.OFFLINED); // PG_ONLINE_ONLINED
    expect(offline.queryPage(free)).toBe(1 << 2); // PG_OFFLINE_STATUS_ONLINE
    hv.markBroken(free);
    // The sysctl calls offline_page with broken = 0: no BROKEN bit in its status (RELEASE-4.2.0 sysctl.c).
    expect(await offline.offlinePage(free)).toMatchObject({ status: PG_OFFLINE.OFFLINED, frameStatus: 'offlined' });
    expect(() => offline.onlinePage(free)).toThrow(/broken/);
    try {
      await offline.offlinePage(1 << 20);
      expect.unreachable();
    } catch (error) {
      expect(isPagevisorError(error, 'EINVAL')).toBe(true);
    }
  });
});
