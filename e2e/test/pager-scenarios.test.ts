import { createPager, isPagevisorError, type PagerEvent } from '@pagevisor/core';
import { xenpaging } from '@pagevisor/policies';
import { memoryStore } from '@pagevisor/storage';
import { faultyStore, GuestRunner, mixWorkload, SimHypervisor, zipfWorkload, type FaultyStore } from '@pagevisor/testing';
import { describe, expect, it } from 'vitest';
import { integrityMismatches, setup } from './support.js';

describe('pager scenarios', () => {
  it('target down, up, 0 (everything in) and above max (max)', async () => {
    const { hv, guest, pager } = setup('vm_event/v7');
    await pager.start();
    const ram = guest.totPages;
    hv.setTarget(guest.domid, Math.floor(ram / 4));
    await pager.settle();
    expect(hv.domainInfo(guest.domid).totPages).toBe(Math.floor(ram / 4));
    hv.setTarget(guest.domid, Math.floor((3 * ram) / 4));
    for (let i = 0; i < 50 && hv.domainInfo(guest.domid).totPages < Math.floor((3 * ram) / 4); i++) await pager.settle();
    expect(hv.domainInfo(guest.domid).totPages).toBe(Math.floor((3 * ram) / 4));
    hv.setTarget(guest.domid, 0);
    for (let i = 0; i < 100 && pager.stats.pagesOut > 0; i++) await pager.settle();
    expect(pager.stats.pagesOut).toBe(0);
    expect(pager.stats.target).toBe(guest.maxPages);
    hv.setTarget(guest.domid, 10 * guest.maxPages);
    await pager.settle();
    expect(pager.stats.target).toBe(guest.maxPages);
    expect(integrityMismatches(hv, guest.domid)).toEqual([]);
  });

  it('a balloon drop storm: every DROP_PAGE answered, its page forgotten, nothing stalls', async () => {
    const { hv, guest, pager } = setup('mem_event/age1'); // the age whose ring the one-way drops filled
    await pager.start();
    hv.setTarget(guest.domid, 1024);
    await pager.settle();
    const paged: number[] = [];
    for (let gfn = 0; gfn < guest.maxPages && paged.length < 500; gfn++) if (guest.p2mType[gfn] === 10) paged.push(gfn);
    // The balloon driver gives pages back 32 at a time, the pager answering between batches.
    for (let i = 0; i < paged.length; i += 32) {
      for (const gfn of paged.slice(i, i + 32)) hv.decreaseReservation(guest.domid, gfn, 0);
      await pager.settle();
    }
    expect(pager.stats.drops).toBe(500);
    expect(guest.paging!.front.freeRequests).toBe(64);
    expect(guest.paging!.counters.lostDrops).toBe(0);
    for (const gfn of paged) hv.populatePhysmap(guest.domid, gfn);
    const report = await pager.stop('graceful');
    expect(report.pagesOut).toBe(0);
    expect(integrityMismatches(hv, guest.domid)).toEqual([]);
  });

  it('a mix workload with grant maps, balloons and hypervisor copies (seed 003 races included) loses nothing', async () => {
    for (const abi of ['mem_event/age1', 'mem_event/4.2', 'vm_event/v7']) {
      const { hv, guest, pager } = setup(abi);
      await pager.start();
      hv.setTarget(guest.domid, 1500);
      const runner = new GuestRunner(hv, guest.domid, mixWorkload({ pages: 3500, accesses: 20_000, seed: 8 }));
      const result = await runner.run(() => pager.settle());
      expect(result.stalled).toBe(false);
      expect(pager.stats.evictFails).toBeGreaterThan(0); // granted pages refused nomination or eviction
      await pager.stop('graceful');
      expect(integrityMismatches(hv, guest.domid)).toEqual([]);
      hv.auditor!.auditDomain(guest);
    }
  }, 60_000);

  it('a full ring: 16 vcpus fault at once on an 8-slot vm_event ring while the store is slow', async () => {
    let disk!: FaultyStore;
    const { hv, guest, pager } = setup('vm_event/v7', { vcpus: 16, store: faultyStore(memoryStore(), (s) => (disk = s)) });
    disk.inject('read', { delayMs: 2, fails: false });
    await pager.start();
    hv.setTarget(guest.domid, 512);
    await pager.settle();
    const runner = new GuestRunner(hv, guest.domid, zipfWorkload({ pages: 3500, accesses: 3000, seed: 2, alpha: 0.2 }));
    let step = 0;
    // The pager gets a full turn only every 32 guest steps, or when no vcpu can run: requests pile up
    // behind slow reads.
    const anyRunnable = () => Array.from({ length: guest.vcpus }, (_, v) => guest.runnable(v)).some(Boolean);
    const result = await runner.run(() => (++step % 32 === 0 || !anyRunnable() ? pager.settle() : undefined));
    expect(result.stalled).toBe(false);
    expect(guest.paging!.counters.ringFull).toBeGreaterThan(0);
    await pager.stop('graceful');
    expect(integrityMismatches(hv, guest.domid)).toEqual([]);
  }, 60_000);

  it('a store that fails writes: the pages stay resident and are counted; nothing is lost', async () => {
    let disk!: FaultyStore;
    const { hv, guest, pager } = setup('mem_event/4.2', { store: faultyStore(memoryStore(), (s) => (disk = s)) });
    disk.inject('write');
    const failures: PagerEvent[] = [];
    pager.events$.subscribe((e) => e.type === 'store.write-failed' && failures.push(e));
    await pager.start();
    hv.setTarget(guest.domid, 2048);
    await pager.settle();
    expect(pager.stats.pagesOut).toBe(0);
    expect(pager.stats.storeWriteErrors).toBeGreaterThan(0);
    expect(failures.length).toBeGreaterThan(0);
    expect(disk.injectedFailures.write).toBe(failures.length);
    disk.heal('write');
    const runner = new GuestRunner(hv, guest.domid, zipfWorkload({ pages: 3500, accesses: 5000, seed: 2 }));
    expect((await runner.run(() => pager.settle())).stalled).toBe(false);
    await pager.stop('graceful');
    expect(integrityMismatches(hv, guest.domid)).toEqual([]);
  });

  it('a store that fails reads: the pager retries, then stops with the error; the guest stays consistent', async () => {
    let disk!: FaultyStore;
    const { hv, guest, pager } = setup('vm_event/v7', { store: faultyStore(memoryStore(), (s) => (disk = s)), config: { readAttempts: 2 } });
    const attempts: number[] = [];
    let failure: unknown;
    pager.events$.subscribe({ next: (e) => e.type === 'store.read-failed' && attempts.push(e.attempt), error: (e) => (failure = e) });
    await pager.start();
    hv.setTarget(guest.domid, 2048);
    await pager.settle();
    disk.inject('read');
    const paged = guest.p2mType.indexOf(10);
    expect(hv.guestAccess(guest.domid, 0, paged, false)).toBe('blocked');
    await expect(pager.settle()).rejects.toMatchObject({ code: 'STORE_IO' });
    expect(attempts).toEqual([1, 2]);
    expect(isPagevisorError(failure, 'STORE_IO')).toBe(true);
    expect(guest.runnable(0)).toBe(false); // still waiting: the hypervisor's dead-pager outcome applies
    hv.auditor!.auditDomain(guest);
  });

  it('a hard stop leaves pages out, the guest consistent, and says how many', async () => {
    const { hv, guest, pager } = setup('mem_event/age3');
    await pager.start();
    hv.setTarget(guest.domid, 1000);
    await pager.settle();
    const out = pager.stats.pagesOut;
    const report = await pager.stop('hard');
    expect(report).toEqual({ mode: 'hard', pagesOut: out });
    expect(guest.pagedPages).toBe(out);
    expect(guest.paging).toBeDefined();
    hv.auditor!.auditDomain(guest);
  });

  it('two pagers on two domains in one process share no state', async () => {
    const hv = new SimHypervisor({ abi: 'vm_event/v7', audit: true, machineFrames: 16384 });
    const a = hv.createDomain({ maxPages: 2048, seed: 1 });
    const b = hv.createDomain({ maxPages: 4096, seed: 2 });
    const pa = createPager({ hypervisor: hv, domid: a.domid, policy: xenpaging(), store: memoryStore() });
    const pb = createPager({ hypervisor: hv, domid: b.domid, policy: xenpaging(), store: memoryStore() });
    await Promise.all([pa.start(), pb.start()]);
    hv.setTarget(a.domid, 1000);
    hv.setTarget(b.domid, 3000);
    await Promise.all([pa.settle(), pb.settle()]);
    expect([hv.domainInfo(a.domid).totPages, hv.domainInfo(b.domid).totPages]).toEqual([1000, 3000]);
    expect(pa.stats.pagesOut).toBe(a.pagedPages);
    expect(pb.stats.pagesOut).toBe(b.pagedPages);
    await Promise.all([pa.stop(), pb.stop()]);
    expect(integrityMismatches(hv, a.domid)).toEqual([]);
    expect(integrityMismatches(hv, b.domid)).toEqual([]);
  });
});

describe('a pager that dies', () => {
  it.each([
    ['crash', 'crashed at once'],
    ['resume', 'resumed once, then crashed'],
  ] as const)('the simulator applies its dead-pager outcome (%s): %s, within bounded virtual time', async (outcome, _what) => {
    const { hv, guest, pager } = setup('vm_event/v7', { sim: { deadPager: { afterNs: 5_000_000, outcome } } });
    await pager.start();
    hv.setTarget(guest.domid, 1024);
    await pager.settle();
    await pager.stop('hard'); // the pager is gone; paging stays enabled with pages out
    const watchdog: string[] = [];
    const original = hv.watchdog.bind(hv);
    hv.watchdog = (domid, now) => {
      const action = original(domid, now);
      if (action !== 'none') watchdog.push(action);
      return action;
    };
    const runner = new GuestRunner(hv, guest.domid, zipfWorkload({ pages: 3500, accesses: 2000, seed: 4 }));
    const result = await runner.run();
    expect(result.stalled).toBe(false);
    expect(result.crashed).toMatch(/answered nothing for 5 ms/);
    expect(watchdog).toEqual(outcome === 'resume' ? ['resumed', 'crashed'] : ['crashed']);
    expect(result.time).toBeLessThan(50_000_000);
  });
});

describe('pager settings', () => {
  it('never evicts gfn 0 or the configured never-evict gfns (seed 000 patch 9), and reports per-page events on request', async () => {
    const neverEvict = [0x80, 0x81, 0x82];
    const { hv, guest, pager } = setup('mem_event/4.2', { config: { neverEvict, pageEvents: true } });
    const evicted = new Set<number>();
    pager.events$.subscribe((e) => e.type === 'page.evicted' && evicted.add(e.gfn));
    await pager.start();
    hv.setTarget(guest.domid, 16);
    await pager.settle();
    for (const gfn of [0, ...neverEvict]) {
      expect(guest.p2mType[gfn]).toBe(0); // still ram_rw
      expect(evicted.has(gfn)).toBe(false);
    }
    expect(evicted.size).toBe(pager.stats.evictions);
    expect(evicted.size).toBeGreaterThan(3000);
    await pager.stop();
  });
});
