import { describe, expect, it } from 'vitest';
import { isPagevisorError, MEM_EVENT_4_0, xen } from '@pagevisor/core';
import { FOREIGN_CALLER, P2mType, SimHypervisor } from '@pagevisor/testing';
import { errnoOf } from './support/errno-of.js';
import { simWith } from './support/sim-fixture.js';

const { MEM_EVENT_FLAG_VCPU_PAUSED } = xen;

const GFN = 0x300;

/** Xen 4.0 (RELEASE-4.0.0 `xen/arch/x86/mm/p2m.c`, `mem_event.c`, `xen/common/memory.c`), where it differs from 4.1. */
describe('mem_event/4.0 (Xen 4.0 rules)', () => {
  it('enable checks neither HAP, the CPU vendor nor PoD (mem_event_domctl checks only the ring pages)', () => {
    const hv = new SimHypervisor({ abi: 'mem_event/4.0' });
    for (const config of [{ cpuVendor: 'amd' as const }, { populateOnDemand: true }]) {
      const d = hv.createDomain({ maxPages: 256, ...config });
      expect(hv.enablePaging(d.domid, 'mem_event/4.0').ring.slots).toBe(64);
    }
  });

  it('a guest fault sends {gfn, p2mt, vcpu_id, VCPU_PAUSED} in the 4.0 layout, 64-bit p2mt and flags', () => {
    const s = simWith('mem_event/4.0');
    s.pageOut(GFN);
    expect(s.hv.guestAccess(s.id, 1, GFN, false)).toBe('blocked');
    const [request] = s.requests();
    expect(request).toMatchObject({ gfn: GFN, vcpuId: 1, flags: MEM_EVENT_FLAG_VCPU_PAUSED, p2mt: 10, reason: 0 }); // p2m_ram_paged = 10
    const bytes = MEM_EVENT_4_0.encodeBytes(request!);
    const data = new DataView(bytes.buffer);
    expect([data.getUint32(0, true), data.getUint32(16, true), data.getUint32(24, true), data.getUint32(32, true)]).toEqual([GFN, 10, 1, 1]);
  });

  it('ballooning a paged gfn fails ("page number invalid"): it stays paged and nothing is sent', () => {
    const s = simWith('mem_event/4.0');
    s.pageOut(GFN);
    s.hv.decreaseReservation(s.id, GFN, 0);
    expect(s.type(GFN)).toBe('ram_paged');
    expect(s.requests()).toHaveLength(0);
  });

  it('ballooning a nominated gfn removes it without a DROP_PAGE; its evict then fails with EINVAL', () => {
    const s = simWith('mem_event/4.0');
    s.hv.nominate(s.id, GFN);
    s.hv.decreaseReservation(s.id, GFN, 0);
    expect(s.d.p2mType[GFN]).toBe(P2mType.invalid);
    expect(s.requests()).toHaveLength(0);
    expect(errnoOf(() => s.hv.evict(s.id, GFN))).toBe('EINVAL');
  });

  it('a foreign touch of a gfn already on its way in sends another request (4.1 sends none)', () => {
    for (const [abi, expected] of [['mem_event/4.0', 2], ['mem_event/age1', 1]] as const) {
      const s = simWith(abi);
      s.pageOut(GFN);
      expect(errnoOf(() => s.hv.mapForeign(s.id, GFN, false))).toBe('ENOENT'); // paged → paging_in_start
      expect(s.hv.hvmCopy(s.id, FOREIGN_CALLER, GFN)).toBe('retry'); // a copy for another domain
      expect(s.requests().length, abi).toBe(expected);
    }
  });

  it('prep with no free frame answers EINVAL, as RELEASE-4.0.0 p2m_mem_paging_prep did', () => {
    const s = simWith('mem_event/4.0');
    s.pageOut(GFN);
    s.hv.guestAccess(s.id, 0, GFN, false);
    s.hv.occupyFreeFrames();
    const error = (() => {
      try {
        s.hv.prep(s.id, GFN);
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(isPagevisorError(error, 'EINVAL')).toBe(true);
    expect((error as Error).message).toMatch(/no free machine frame/);
  });
});

describe('the mem_event/4.0 codec refuses what the layout cannot carry', () => {
  const entry = (edit: (data: DataView) => void) => {
    const bytes = new Uint8Array(40);
    edit(new DataView(bytes.buffer));
    return bytes;
  };
  it('flags with high bits, a p2mt above 32 bits, undefined flags, a reason', () => {
    expect(() => MEM_EVENT_4_0.decodeBytes(entry((d) => d.setUint32(36, 1, true)))).toThrow(expect.objectContaining({ code: 'ABI_BAD_FLAGS', field: 'flags' }));
    expect(() => MEM_EVENT_4_0.decodeBytes(entry((d) => d.setUint32(20, 1, true)))).toThrow(expect.objectContaining({ code: 'ABI_FIELD_RANGE', field: 'p2mt' }));
    expect(() => MEM_EVENT_4_0.decodeBytes(entry((d) => d.setUint32(32, 8, true)))).toThrow(expect.objectContaining({ code: 'ABI_BAD_FLAGS' }));
    expect(() => MEM_EVENT_4_0.encodeBytes(MEM_EVENT_4_0.create({ reason: 3 }))).toThrow(expect.objectContaining({ code: 'ABI_BAD_VALUE', field: 'reason' }));
    const padded = entry((d) => d.setUint32(28, 0xdeadbeef, true)); // padding and `offset` travel as opaque bytes
    expect(MEM_EVENT_4_0.encodeBytes(MEM_EVENT_4_0.decodeBytes(padded))).toEqual(padded);
  });
});
