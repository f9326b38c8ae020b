// Xen 4.1 (age 1, RELEASE-4.1.0 `xen/arch/x86/mm/p2m.c`, `mem_event.c`), seed 001 (age 2) and SUSE (age 3) rules.
import { describe, expect, it } from 'vitest';
import { xen } from '@pagevisor/core';
import { FOREIGN_CALLER, GNTST_EAGAIN, INVALID_MFN, SimHypervisor } from '@pagevisor/testing';
import { errnoOf } from './support/errno-of.js';
import { flagsOf, simWith, type SimContext } from './support/sim-fixture.js';

const { MEM_EVENT_FLAG_DROP_PAGE, MEM_EVENT_TYPE_PAGING } = xen;

const GFN = 0x300;

describe.each([['mem_event/age1'], ['mem_event/age2']])('%s (Xen 4.1 rules)', (abiId) => {
  const age2 = abiId.endsWith('age2');
  /** Nominates as this age's pager does: age 2 holds a mapping across the nomination. */
  const nominate = (s: SimContext, gfn: number) => {
    const mapping = age2 ? s.hv.mapForeign(s.id, gfn, false) : undefined;
    s.hv.nominate(s.id, gfn);
    if (mapping !== undefined) s.hv.unmapForeign(mapping);
  };

  it('nominate: EINVAL without a frame, EAGAIN for other refusals, 4.1 p2m numbering', () => {
    const s = simWith(abiId);
    s.pageOut(GFN);
    expect(errnoOf(() => s.hv.nominate(s.id, GFN))).toBe('EINVAL');
    s.d.p2m.type[GFN + 1] = 2; // ram_logdirty: not pageable in 4.1
    expect(errnoOf(() => s.hv.nominate(s.id, GFN + 1))).toBe('EAGAIN');
  });

  it(age2 ? 'nominate needs the pager’s mapping (count 2|PGC_allocated)' : 'nominate needs count 1|PGC_allocated', () => {
    const s = simWith(abiId);
    const mapping = s.hv.mapForeign(s.id, GFN, false);
    expect(errnoOf(() => s.hv.nominate(s.id, GFN))).toBe(age2 ? undefined : 'EAGAIN');
    s.hv.unmapForeign(mapping);
    expect(errnoOf(() => s.hv.nominate(s.id, GFN + 1))).toBe(age2 ? 'EAGAIN' : undefined);
  });

  it('evict does not need paging_out as Xen 4.1 had it (xenBugs); refuses paged with EINVAL', () => {
    const s = simWith(abiId, { xenBugs: true });
    s.hv.evict(s.id, GFN);
    expect(s.type(GFN)).toBe('ram_paged');
    expect(errnoOf(() => s.hv.evict(s.id, GFN))).toBe('EINVAL');
  });

  it('with 4.2\'s fix (default), evict of a gfn that is not paging_out is EBUSY and changes nothing', () => {
    const s = simWith(abiId);
    expect(errnoOf(() => s.hv.evict(s.id, GFN))).toBe('EBUSY');
    expect(s.type(GFN)).toBe('ram_rw');
  });

  it('resume makes a nominated, not evicted gfn ram_rw again (4.1 p2m_mem_paging_resume sets ram_rw whatever the type)', () => {
    const s = simWith(abiId);
    nominate(s, GFN);
    s.hv.guestAccess(s.id, 0, GFN, false);
    expect([s.type(GFN), s.d.runnable(0)]).toEqual(['ram_paging_out', false]);
    s.answer(s.requests());
    expect([s.type(GFN), s.d.runnable(0)]).toEqual(['ram_rw', true]);
    expect(s.hv.guestAccess(s.id, 0, GFN, false)).toBe('done');
  });

  it('populate of paged → paging_in_start, type PAGING, VCPU_PAUSED; paging_out is left as is', () => {
    const s = simWith(abiId);
    s.pageOut(GFN);
    nominate(s, GFN + 1);
    s.hv.guestAccess(s.id, 0, GFN, false);
    s.hv.guestAccess(s.id, 1, GFN + 1, false);
    expect([s.type(GFN), s.d.p2mMfn[GFN], s.type(GFN + 1)]).toEqual(['ram_paging_in_start', INVALID_MFN, 'ram_paging_out']);
    const requests = s.requests();
    expect(requests.map((r) => [r.gfn, r.vcpuId, r.p2mt, (r as { type: number }).type])).toEqual([
      [GFN, 0, 10, 1],
      [GFN + 1, 1, 9, 1],
    ]);
    expect(flagsOf(s.abi, requests[0]!)).toEqual(['VCPU_PAUSED']);
  });

  it(age2 ? 'a foreign map of any paging gfn fails with ENOENT' : 'a foreign map of paging_out still maps; of paged, ENOENT', () => {
    const s = simWith(abiId);
    nominate(s, GFN);
    expect(errnoOf(() => s.hv.unmapForeign(s.hv.mapForeign(s.id, GFN, false)))).toBe(age2 ? 'ENOENT' : undefined);
    s.pageOut(GFN + 1);
    expect(errnoOf(() => s.hv.mapForeign(s.id, GFN + 1, false))).toBe('ENOENT');
  });

  it('resume consumes one response per call and wakes all ring sleepers', () => {
    const s = simWith(abiId);
    for (const gfn of [GFN, GFN + 1]) s.pageOut(gfn);
    s.hv.guestAccess(s.id, 0, GFN, false);
    s.hv.guestAccess(s.id, 1, GFN + 1, false);
    const requests = s.requests();
    for (const r of requests) s.hv.prep(s.id, r.gfn, age2 ? s.hv.expectedContent(s.id, r.gfn) : undefined);
    if (!age2) for (const r of requests) {
      const m = s.hv.mapForeign(s.id, r.gfn, true);
      m.bytes.set(s.hv.expectedContent(s.id, r.gfn));
      s.hv.unmapForeign(m);
    }
    s.back.pushResponses(s.abi, requests.map((r) => s.abi.create({ ...r, opaque: undefined })));
    s.hv.resume(s.id);
    expect([s.d.runnable(0), s.d.runnable(1)]).toEqual([true, false]);
    s.hv.resume(s.id);
    expect([s.d.runnable(0), s.d.runnable(1), s.type(GFN), s.type(GFN + 1)]).toEqual([true, true, 'ram_rw', 'ram_rw']);
  });

  it('the ring is "full" below 4 free slots: the faulting vcpu sleeps and nothing is sent', () => {
    const s = simWith(abiId, { vcpus: 64, maxPages: 2048 });
    const gfns = Array.from({ length: 62 }, (_, i) => GFN + i);
    for (const gfn of gfns) s.pageOut(gfn);
    for (let v = 0; v < 61; v++) s.hv.guestAccess(s.id, v, gfns[v]!, false);
    expect(s.d.paging!.front.freeRequests).toBe(3);
    expect(s.hv.guestAccess(s.id, 61, gfns[61]!, false)).toBe('blocked');
    expect([s.d.ringSleep[61], s.type(gfns[61]!)]).toEqual([1, 'ram_paged']);
  });

  it('DROP_PAGE leaves type 0', () => {
    const s = simWith(abiId);
    s.pageOut(GFN);
    s.hv.decreaseReservation(s.id, GFN, 1);
    const [drop] = s.requests();
    expect(drop).toMatchObject({ gfn: GFN, vcpuId: 1, flags: MEM_EVENT_FLAG_DROP_PAGE, type: 0 });
  });

  it.each([[true], [false]])('enable on AMD: ENODEV (Xen 4.1 needs Intel EPT); HAP %s', (hap) => {
    const hv = new SimHypervisor({ abi: abiId });
    const d = hv.createDomain({ maxPages: 256, cpuVendor: hap ? 'amd' : 'intel', hap });
    expect(errnoOf(() => hv.enablePaging(d.domid, abiId))).toBe('ENODEV');
  });
});

describe('mem_event/age1 page-in: prep allocates, the pager writes through a mapping', () => {
  it('prep → paging_in with a new zeroed frame; a buffer is refused', () => {
    const s = simWith('mem_event/age1');
    s.pageOut(GFN);
    expect(errnoOf(() => s.hv.prep(s.id, GFN, new Uint8Array(4096)))).toBe('EINVAL');
    s.hv.prep(s.id, GFN);
    expect(s.type(GFN)).toBe('ram_paging_in');
    expect(s.d.pagedPages).toBe(0);
    const m = s.hv.mapForeign(s.id, GFN, true);
    expect(m.bytes.every((b) => b === 0)).toBe(true);
    m.bytes.set(s.hv.expectedContent(s.id, GFN));
    s.hv.unmapForeign(m);
  });
});

describe('mem_event/age3 (SUSE)', () => {
  it('a populate of a still-mapped paging_out restores ram_rw with no request', () => {
    const s = simWith('mem_event/age3');
    const mapping = s.hv.mapForeign(s.id, GFN, false);
    s.hv.nominate(s.id, GFN);
    s.hv.unmapForeign(mapping);
    expect(s.hv.guestAccess(s.id, 0, GFN, true)).toBe('done');
    expect(s.type(GFN)).toBe('ram_rw');
    expect(s.requests()).toHaveLength(0);
  });
  it('one request per gfn; vcpus wait on the gfn (no VCPU_PAUSED) and resume wakes them', () => {
    const s = simWith('mem_event/age3', { vcpus: 3 });
    const bytes = s.pageOut(GFN);
    for (const v of [0, 1, 2]) expect(s.hv.guestAccess(s.id, v, GFN, false)).toBe('blocked');
    const requests = s.requests();
    expect(requests).toHaveLength(1);
    expect(flagsOf(s.abi, requests[0]!)).toEqual([]);
    expect(s.type(GFN)).toBe('ram_paging_in_start');
    expect(errnoOf(() => s.hv.prep(s.id, GFN + 1, bytes))).toBe('ENOENT'); // prep only from paging_in_start
    s.hv.prep(s.id, GFN, bytes);
    expect(s.type(GFN)).toBe('ram_paging_in');
    s.answer(requests);
    expect([0, 1, 2].map((v) => s.d.runnable(v))).toEqual([true, true, true]);
    expect(s.type(GFN)).toBe('ram_rw');
  });
  it('DROP_PAGE of a paging_out gfn: type PAGING, the vcpu, never EVICT_FAIL', () => {
    const s = simWith('mem_event/age3');
    const mapping = s.hv.mapForeign(s.id, GFN, false);
    s.hv.nominate(s.id, GFN);
    s.hv.unmapForeign(mapping);
    s.hv.decreaseReservation(s.id, GFN, 1);
    const [drop] = s.requests();
    expect(flagsOf(s.abi, drop!)).toEqual(['DROP_PAGE']);
    expect(drop).toMatchObject({ type: MEM_EVENT_TYPE_PAGING, vcpuId: 1, p2mt: 0 });
  });
  it('evict requires paging_out: a nominated page a backend mapped since is ram_rw again and refused with EBUSY', () => {
    const s = simWith('mem_event/age3');
    expect(errnoOf(() => s.hv.evict(s.id, GFN))).toBe('EBUSY'); // not nominated
    const mine = s.hv.mapForeign(s.id, GFN, false);
    s.hv.nominate(s.id, GFN);
    s.hv.unmapForeign(mine);
    expect(s.hv.grantMap(s.id, GFN, true)).toBe(GNTST_EAGAIN); // its populate restored the still-mapped page
    expect(s.type(GFN)).toBe('ram_rw');
    expect(errnoOf(() => s.hv.evict(s.id, GFN))).toBe('EBUSY');
  });
  it('nominate of a gfn without a frame: EAGAIN', () => {
    const s = simWith('mem_event/age3');
    s.hv.decreaseReservation(s.id, GFN, 0);
    expect(errnoOf(() => s.hv.nominate(s.id, GFN))).toBe('EAGAIN');
  });
  it('a full ring: slots are claimed; a guest vcpu sleeps on the wait queue, a foreign caller sends nothing', () => {
    const s = simWith('mem_event/age3', { vcpus: 2, maxPages: 1024 });
    const slots = s.abi.ringSlots;
    const saved = new Map<number, Uint8Array>();
    for (let i = 0; i < slots + 2; i++) saved.set(GFN + i, s.pageOut(GFN + i));
    for (let i = 0; i < slots; i++) s.hv.hvmCopy(s.id, FOREIGN_CALLER, GFN + i); // foreign populates fill the ring
    expect(s.d.paging!.counters.requests).toBe(slots);
    expect(s.hv.guestAccess(s.id, 0, GFN + slots, false)).toBe('blocked');
    expect(s.d.ringSleep[0]).toBe(1); // asleep for a slot, not below a threshold
    expect(s.type(GFN + slots)).toBe('ram_paged');
    s.hv.hvmCopy(s.id, FOREIGN_CALLER, GFN + slots + 1);
    expect(s.d.paging!.counters.requests).toBe(slots); // -EBUSY: nothing sent
    expect(s.type(GFN + slots + 1)).toBe('ram_paged');
    const requests = s.requests();
    for (const r of requests) s.hv.prep(s.id, r.gfn, saved.get(r.gfn));
    s.answer(requests);
    expect(s.d.ringSleep[0]).toBe(0); // woken: its access is retried
    expect(s.hv.guestAccess(s.id, 0, GFN + slots, false)).toBe('blocked');
    expect(s.requests().map((r) => r.gfn)).toEqual([GFN + slots]);
  });
  it('enable with PoD: EXDEV; a pager of another age: ENOEXEC "Expected paging age" (SUSE mem_event_enable)', () => {
    const hv = new SimHypervisor({ abi: 'mem_event/age3' });
    const pod = hv.createDomain({ maxPages: 256, populateOnDemand: true });
    expect(errnoOf(() => hv.enablePaging(pod.domid, 'mem_event/age3'))).toBe('EXDEV');
    const d = hv.createDomain({ maxPages: 256 });
    expect(() => hv.enablePaging(d.domid, 'mem_event/age1')).toThrow('domain 2: Expected paging age 3, got 1');
    expect(errnoOf(() => hv.enablePaging(d.domid, 'mem_event/age1'))).toBe('ENOEXEC');
    expect(hv.announcedPagingAbi(d.domid)).toBeUndefined(); // no query before vm_event v5
    hv.enablePaging(d.domid, 'mem_event/age3');
  });
  it('upstream 4.1 compares nothing at enable: a pager of another age gets the ring', () => {
    const hv = new SimHypervisor({ abi: 'mem_event/age1' });
    const d = hv.createDomain({ maxPages: 256 });
    expect(hv.enablePaging(d.domid, 'mem_event/age3').ring.entryBytes).toBe(40);
  });
});

describe('enable errors of 4.2+', () => {
  it.each([
    [{ hap: false }, 'ENODEV'],
    [{ iommuPassthrough: true }, 'EMLINK'],
    [{ populateOnDemand: true }, 'EXDEV'],
    [{ hvm: false }, 'ENODEV'],
  ] as const)('%o → %s', (config, errno) => {
    const hv = new SimHypervisor({ abi: 'vm_event/v7' });
    const d = hv.createDomain({ maxPages: 256, ...config });
    expect(errnoOf(() => hv.enablePaging(d.domid, 'vm_event/v7'))).toBe(errno);
  });
  it('a second pager: EBUSY; AMD with HAP is fine since 4.2', () => {
    const hv = new SimHypervisor({ abi: 'mem_event/4.2' });
    const d = hv.createDomain({ maxPages: 256, cpuVendor: 'amd' });
    hv.enablePaging(d.domid, 'mem_event/4.2');
    expect(errnoOf(() => hv.enablePaging(d.domid, 'mem_event/4.2'))).toBe('EBUSY');
  });
  it('removes the ring gfn (special_pfn 0) from a large guest’s physmap', () => {
    const hv = new SimHypervisor({ abi: 'vm_event/v7', machineFrames: 1 << 21 });
    const d = hv.createDomain({ maxPages: 0x100000 + 16 });
    expect(d.p2mType[0xff000 - 8]).toBe(1); // invalid: in the MMIO hole anyway
    hv.enablePaging(d.domid, 'vm_event/v7');
    expect(d.p2mMfn[0xff000 - 8]).toBe(INVALID_MFN);
  });
});
