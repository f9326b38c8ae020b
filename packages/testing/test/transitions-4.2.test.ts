// Xen 4.2+ state machine (RELEASE-4.2.0 `p2m.c` and `mem_event.c`, 4.6+ `vm_event.c`), for the 40-byte 4.2 layout and vm_event.
import { describe, expect, it } from 'vitest';
import { GNTST_EAGAIN, INVALID_M2P_ENTRY, INVALID_MFN, P2mType } from '@pagevisor/testing';
import { errnoOf } from './support/errno-of.js';
import { flagsOf, simWith, type SimContext } from './support/sim-fixture.js';

const GFN = 0x300;

describe.each([['mem_event/4.2'], ['vm_event/v1'], ['vm_event/v7']])('%s transitions', (abiId) => {
  const vm = abiId.startsWith('vm_event');
  const pagedWire = 10; // ram_paged in the 4.2+ numbering
  const pagingOutWire = 9;

  describe('nominate', () => {
    it.each([
      ['ram_rw → paging_out', () => undefined, undefined, 'ram_paging_out'],
      ['ram_logdirty → paging_out', (s: SimContext): unknown => (s.d.p2m.type[GFN] = P2mType.ram_logdirty), undefined, 'ram_paging_out'],
      ['no frame: EBUSY', (s: SimContext): unknown => s.pageOut(GFN), 'EBUSY', 'ram_paged'],
      ['not pageable (mmio_direct): EBUSY', (s: SimContext): unknown => (s.d.p2m.type[GFN] = P2mType.mmio_direct), 'EBUSY', 'mmio_direct'],
      ['mapped by another domain (count 2): EBUSY', (s: SimContext): unknown => s.hv.mapForeign(s.id, GFN, false), 'EBUSY', 'ram_rw'],
      ['writable mapping (type count): EBUSY', (s: SimContext): unknown => s.hv.mapForeign(s.id, GFN, true), 'EBUSY', 'ram_rw'],
    ] as const)('%s', (_, setup, errno, after) => {
      const s = simWith(abiId);
      setup(s);
      expect(errnoOf(() => s.hv.nominate(s.id, GFN))).toBe(errno);
      expect(s.type(GFN)).toBe(after);
    });
  });

  describe('evict', () => {
    it('paging_out → paged: frame freed, M2P invalidated, paged_pages + 1', () => {
      const s = simWith(abiId);
      const mfn = s.d.p2mMfn[GFN]!;
      const tot = s.d.totPages;
      s.hv.nominate(s.id, GFN);
      s.hv.evict(s.id, GFN);
      expect([s.type(GFN), s.d.p2mMfn[GFN], s.d.pagedPages, s.d.totPages]).toEqual(['ram_paged', INVALID_MFN, 1, tot - 1]);
      expect(s.hv.frames.m2p[mfn]).toBe(INVALID_M2P_ENTRY);
      expect(s.hv.frames.refs[mfn]).toBe(0);
    });
    it.each([
      ['not nominated: EBUSY', () => undefined],
      ['mapped after nominate: EBUSY', (s: SimContext): unknown => (s.hv.nominate(s.id, GFN), s.hv.mapForeign(s.id, GFN, false))],
      ['populated after nominate (now paging_in): EBUSY', (s: SimContext): unknown => (s.hv.nominate(s.id, GFN), s.hv.guestAccess(s.id, 0, GFN, false))],
    ] as const)('%s', (_, setup) => {
      const s = simWith(abiId);
      setup(s);
      expect(errnoOf(() => s.hv.evict(s.id, GFN))).toBe('EBUSY');
      expect(s.d.p2mMfn[GFN]).not.toBe(INVALID_MFN);
    });
  });

  describe('populate', () => {
    it('guest fault on paging_out → paging_in with the frame kept, EVICT_FAIL, vcpu paused', () => {
      const s = simWith(abiId);
      s.hv.nominate(s.id, GFN);
      expect(s.hv.guestAccess(s.id, 1, GFN, false)).toBe('blocked');
      expect(s.type(GFN)).toBe('ram_paging_in');
      expect(s.d.p2mMfn[GFN]).not.toBe(INVALID_MFN);
      const [request, ...rest] = s.requests();
      expect(rest).toHaveLength(0);
      expect(request).toMatchObject({ gfn: GFN, vcpuId: 1, p2mt: pagingOutWire });
      expect(flagsOf(s.abi, request!)).toEqual(['EVICT_FAIL', 'VCPU_PAUSED']);
      expect(s.d.runnable(1)).toBe(false);
      expect(s.d.vmEventPause[1]).toBe(vm ? 1 : 0);
    });
    it('guest fault on paged → paging_in without a frame; a second vcpu only spins (no request)', () => {
      const s = simWith(abiId);
      s.pageOut(GFN);
      s.hv.guestAccess(s.id, 0, GFN, true);
      expect(s.hv.guestAccess(s.id, 1, GFN, false)).toBe('blocked');
      expect([s.type(GFN), s.d.p2mMfn[GFN]]).toEqual(['ram_paging_in', INVALID_MFN]);
      const requests = s.requests();
      expect(requests.map((r) => [r.gfn, r.vcpuId, r.p2mt])).toEqual([[GFN, 0, pagedWire]]);
      expect(s.d.waitGfn[1]).toBe(GFN);
    });
    it('duplicate requests: a hypervisor copy on paging_in pauses its vcpu and sends another', () => {
      const s = simWith(abiId);
      s.pageOut(GFN);
      s.hv.guestAccess(s.id, 0, GFN, false);
      expect(s.hv.hvmCopy(s.id, 1, GFN)).toBe('retry');
      expect(s.requests().map((r) => r.vcpuId)).toEqual([0, 1]);
    });
    it('foreign map of paged: populate + ENOENT with FOREIGN; of paging_in without frame: ENOENT, no request', () => {
      const s = simWith(abiId);
      s.pageOut(GFN);
      expect(errnoOf(() => s.hv.mapForeign(s.id, GFN, false))).toBe('ENOENT');
      expect(errnoOf(() => s.hv.mapForeign(s.id, GFN, false))).toBe('ENOENT');
      const requests = s.requests();
      expect(requests).toHaveLength(1);
      expect(flagsOf(s.abi, requests[0]!)).toEqual(['FOREIGN']);
      expect(requests[0]!.vcpuId).toBe(0); // the control domain's vcpu 0
    });
    it("a foreign request carries the caller's own vcpu id (current->vcpu_id), even one the guest lacks", () => {
      const s = simWith(abiId); // 2 guest vcpus
      const page = s.pageOut(GFN);
      s.hv.controlVcpu = 5;
      expect(errnoOf(() => s.hv.mapForeign(s.id, GFN, false))).toBe('ENOENT');
      const requests = s.requests();
      expect(requests.map((r) => r.vcpuId)).toEqual([5]);
      s.hv.prep(s.id, GFN, page);
      s.answer(requests);
      expect(s.type(GFN)).toBe('ram_rw');
      expect(s.hv.mapForeign(s.id, GFN, false).bytes).toEqual(page);
    });
    it('grant map of a paged gfn: GNTST_eagain and a populate', () => {
      const s = simWith(abiId);
      s.pageOut(GFN);
      expect(s.hv.grantMap(s.id, GFN, true)).toBe(GNTST_EAGAIN);
      expect(s.type(GFN)).toBe('ram_paging_in');
    });
    it('paging_out still maps for a foreign domain, and that mapping makes evict fail', () => {
      const s = simWith(abiId);
      s.hv.nominate(s.id, GFN);
      const mapping = s.hv.mapForeign(s.id, GFN, false);
      expect(errnoOf(() => s.hv.evict(s.id, GFN))).toBe('EBUSY');
      s.hv.unmapForeign(mapping);
    });
  });

  describe('prep (load) and resume', () => {
    it('prep of paged with the buffer → ram_rw, M2P set, paged_pages − 1; resume unpauses', () => {
      const s = simWith(abiId);
      const bytes = s.pageOut(GFN);
      s.hv.guestAccess(s.id, 0, GFN, false);
      const requests = s.requests();
      s.hv.prep(s.id, GFN, bytes);
      const mfn = s.d.p2mMfn[GFN]!;
      expect([s.type(GFN), s.hv.frames.m2p[mfn], s.d.pagedPages]).toEqual(['ram_rw', GFN, 0]);
      expect(s.d.runnable(0)).toBe(false);
      s.answer(requests);
      expect(s.d.runnable(0)).toBe(true);
      expect(s.hv.readGfn(s.id, GFN)).toEqual(bytes);
    });
    it('resume of an EVICT_FAIL gfn (frame kept) turns paging_in back into ram_rw', () => {
      const s = simWith(abiId);
      s.hv.nominate(s.id, GFN);
      s.hv.guestAccess(s.id, 0, GFN, false);
      s.answer(s.requests());
      expect(s.type(GFN)).toBe('ram_rw');
      expect(s.hv.guestAccess(s.id, 0, GFN, false)).toBe('done');
    });
    it.each([
      ['of ram_rw: ENOENT', () => undefined, 'ENOENT'],
      ['of paged without a buffer: EINVAL', (s: SimContext): unknown => s.pageOut(GFN), 'EINVAL'],
    ] as const)('prep %s', (_, setup, errno) => {
      const s = simWith(abiId);
      setup(s);
      expect(errnoOf(() => s.hv.prep(s.id, GFN))).toBe(errno);
    });
    it('prep when the machine has no free frame: ENOMEM, and the gfn stays paged', () => {
      const s = simWith(abiId);
      const bytes = s.pageOut(GFN);
      while (s.hv.frames.free > 0) s.hv.frames.allocate(0x7ff2); // Xen heap takes every free frame
      expect(errnoOf(() => s.hv.prep(s.id, GFN, bytes))).toBe('ENOMEM');
      expect([s.type(GFN), s.d.pagedPages]).toEqual(['ram_paged', 1]);
    });
    it('prep with a buffer that is not a page: EINVAL', () => {
      const s = simWith(abiId);
      s.pageOut(GFN);
      expect(errnoOf(() => s.hv.prep(s.id, GFN, new Uint8Array(100)))).toBe('EINVAL');
    });
    it('prep with the wrong content is reported by the auditor as content lost', () => {
      const s = simWith(abiId);
      s.pageOut(GFN);
      expect(() => s.hv.prep(s.id, GFN, new Uint8Array(4096))).toThrow(/content is not version 0/);
    });
    it('resume consumes every pending response', () => {
      const s = simWith(abiId, { vcpus: 4 });
      for (const gfn of [GFN, GFN + 1, GFN + 2]) s.pageOut(gfn);
      [0, 1, 2].forEach((v) => s.hv.guestAccess(s.id, v, GFN + v, false));
      const requests = s.requests();
      for (const r of requests) s.hv.prep(s.id, r.gfn, s.hv.expectedContent(s.id, r.gfn));
      s.answer(requests);
      expect([0, 1, 2].map((v) => s.d.runnable(v))).toEqual([true, true, true]);
    });
  });

  describe('guest_remove_page → DROP_PAGE', () => {
    it('of paged: p2m invalid, DROP_PAGE, paged_pages − 1', () => {
      const s = simWith(abiId);
      s.pageOut(GFN);
      s.hv.decreaseReservation(s.id, GFN, 0);
      expect([s.type(GFN), s.d.pagedPages]).toEqual(['invalid', 0]);
      const [drop] = s.requests();
      expect(flagsOf(s.abi, drop!)).toEqual(['DROP_PAGE']);
      expect(drop!.vcpuId).toBe(0);
    });
    it('of paging_out: frame freed, DROP_PAGE | EVICT_FAIL', () => {
      const s = simWith(abiId);
      const mfn = s.d.p2mMfn[GFN]!;
      s.hv.nominate(s.id, GFN);
      s.hv.decreaseReservation(s.id, GFN, 1);
      expect(s.hv.frames.refs[mfn]).toBe(0);
      expect(flagsOf(s.abi, s.requests()[0]!)).toEqual(['DROP_PAGE', 'EVICT_FAIL']);
    });
  });

  describe('full ring: claim, wait queue, black eye', () => {
    it('pauses every requesting vcpu when fewer slots than vcpus remain, and wakes waiters as slots free', () => {
      const slots = vm ? 8 : 64;
      const s = simWith(abiId, { vcpus: slots + 2, maxPages: 2048 });
      const gfns = Array.from({ length: slots + 1 }, (_, i) => GFN + i);
      for (const gfn of gfns) s.pageOut(gfn);
      // Every guest request leaves available < vcpus: the black-eye pause is taken each time, except,
      // from Xen 4.9 (7f8445d967, vm_event v2+), by a vcpu the request already vm_event-paused.
      s.hv.guestAccess(s.id, 0, gfns[0]!, false);
      expect(s.d.blackEye[0]).toBe(abiId === 'vm_event/v7' ? 0 : 1);
      for (let v = 1; v < slots; v++) s.hv.guestAccess(s.id, v, gfns[v]!, false);
      expect(s.d.paging!.slots.available).toBe(0);
      // No slot left: the next faulting vcpu sleeps on the wait queue, and disable is refused.
      expect(s.hv.guestAccess(s.id, slots, gfns[slots]!, false)).toBe('blocked');
      expect(s.d.ringSleep[slots]).toBe(1);
      expect(() => s.hv.disablePaging(s.id)).toThrow(/wait for paging ring slots/);
      const requests = s.requests();
      for (const r of requests) s.hv.prep(s.id, r.gfn, s.hv.expectedContent(s.id, r.gfn));
      s.answer(requests);
      expect(s.d.ringSleep[slots]).toBe(0);
      expect(s.hv.guestAccess(s.id, slots, gfns[slots]!, false)).toBe('blocked'); // its populate now goes through
      expect(s.requests().map((r) => r.gfn)).toEqual([gfns[slots]]);
    });
    it(`with more vcpus than slots, ${abiId === 'vm_event/v7' ? 'a paging fault takes no black eye (4.9+)' : 'a black-eyed vcpu stays paused while more vcpus are online than slots free (the guest can lock)'}`, () => {
      const slots = vm ? 8 : 64;
      const vcpus = slots * 2;
      const s = simWith(abiId, { vcpus, maxPages: 4096 });
      s.pageOut(GFN);
      s.hv.guestAccess(s.id, vcpus - 1, GFN, false);
      expect(s.d.blackEye[vcpus - 1]).toBe(abiId === 'vm_event/v7' ? 0 : 1);
      const requests = s.requests();
      for (const r of requests) s.hv.prep(s.id, r.gfn, s.hv.expectedContent(s.id, r.gfn));
      s.answer(requests);
      // Every slot is free again, but 2×slots - 1 vcpus are online: before 4.9 nobody is woken.
      expect([s.d.blackEye[vcpus - 1], s.d.runnable(vcpus - 1)]).toEqual(abiId === 'vm_event/v7' ? [0, true] : [1, false]);
    });
    it('a foreign populate with no slot gets nothing sent (EBUSY inside Xen)', () => {
      const slots = vm ? 8 : 64;
      const s = simWith(abiId, { vcpus: 2, maxPages: 2048 });
      const gfns = Array.from({ length: slots + 1 }, (_, i) => GFN + i);
      for (const gfn of gfns) s.pageOut(gfn);
      for (let i = 0; i < slots; i++) expect(errnoOf(() => s.hv.mapForeign(s.id, gfns[i]!, false))).toBe('ENOENT');
      expect(errnoOf(() => s.hv.mapForeign(s.id, gfns[slots]!, false))).toBe('ENOENT');
      expect(s.type(gfns[slots]!)).toBe('ram_paged'); // no slot: the p2m was not touched
      expect(s.d.paging!.counters.ringFull).toBe(1);
    });
  });
});

describe('ABI-specific resume rules', () => {
  it('mem_event/4.2 skips DUMMY responses', () => {
    const s = simWith('mem_event/4.2');
    s.pageOut(GFN);
    s.hv.guestAccess(s.id, 0, GFN, false);
    s.hv.prep(s.id, GFN, s.hv.expectedContent(s.id, GFN));
    s.answer(s.requests(), (m) => (m.flags |= s.abi.flagNames.DUMMY!));
    expect(s.d.runnable(0)).toBe(false);
  });

  it.each([['vm_event/v1'], ['vm_event/v7']])('%s drops responses with another interface version', (abiId) => {
    const s = simWith(abiId);
    s.pageOut(GFN);
    s.hv.guestAccess(s.id, 0, GFN, false);
    s.hv.prep(s.id, GFN, s.hv.expectedContent(s.id, GFN));
    s.answer(s.requests(), (m) => ((m as { version: number }).version = 99));
    expect(s.d.runnable(0)).toBe(false);
    expect(s.d.paging!.counters.droppedResponses).toBe(1);
  });

  it('vm_event/v7 (v2+): a response for a vcpu that is not vm_event-paused does nothing (EVICT_FAIL stays paging_in)', () => {
    const s = simWith('vm_event/v7');
    s.hv.nominate(s.id, GFN);
    s.hv.hvmCopy(s.id, 0, GFN);
    const requests = s.requests();
    // Answer as a pager that lost the VCPU_PAUSED flag and named vcpu 1: vm_event_resume ignores it.
    s.answer(requests, (m) => {
      m.flags = 0;
      m.vcpuId = 1;
    });
    expect(s.type(GFN)).toBe('ram_paging_in');
    expect(s.d.paging!.counters.droppedResponses).toBe(1);
  });

  it('vm_event: a response with another reason unpauses its vcpu but resumes no gfn (vm_event_resume)', () => {
    const s = simWith('vm_event/v7');
    s.pageOut(GFN);
    s.hv.guestAccess(s.id, 0, GFN, false);
    const requests = s.requests();
    s.hv.prep(s.id, GFN, s.hv.expectedContent(s.id, GFN));
    expect(s.type(GFN)).toBe('ram_rw'); // 4.2+ prep makes it usable at once
    s.hv.nominate(s.id, GFN + 1);
    s.hv.hvmCopy(s.id, 1, GFN + 1);
    const evictFail = s.requests();
    s.answer([...requests, ...evictFail], (m) => {
      m.reason = 7; // not VM_EVENT_REASON_MEM_PAGING
    });
    expect([s.d.runnable(0), s.d.runnable(1)]).toEqual([true, true]);
    expect(s.type(GFN + 1)).toBe('ram_paging_in'); // p2m_mem_paging_resume did not run
  });

  it('DROP_PAGE requests carry p2mt 0: p2m_mem_paging_drop_page never sets it', () => {
    for (const abiId of ['mem_event/age1', 'mem_event/4.2', 'vm_event/v7']) {
      const s = simWith(abiId);
      s.pageOut(GFN);
      s.hv.decreaseReservation(s.id, GFN, 0);
      expect(s.requests().map((r) => r.p2mt), abiId).toEqual([0]);
    }
  });

  it('vm_event/v1: the same response is applied (no vm_event-pause rule before 4.8)', () => {
    const s = simWith('vm_event/v1');
    s.hv.nominate(s.id, GFN);
    s.hv.hvmCopy(s.id, 0, GFN);
    s.answer(s.requests(), (m) => {
      m.flags = 0;
      m.vcpuId = 1;
    });
    expect(s.type(GFN)).toBe('ram_rw');
  });
});
