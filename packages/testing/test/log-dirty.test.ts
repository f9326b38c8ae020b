// Log-dirty mode of the simulated Xen (XEN_DOMCTL_SHADOW_OP_*), the base of pre-copy migration.
import { describe, expect, it } from 'vitest';
import { errnoOf } from './support/errno-of.js';
import { simWith } from './support/sim-fixture.js';

const ABI = 'vm_event/v7';

describe('log-dirty mode', () => {
  it('logs written gfns once each, in order; clean starts afresh, peek does not; reads are not logged', () => {
    const s = simWith(ABI);
    s.hv.enableLogDirty(s.id);
    for (const gfn of [0x30, 0x10, 0x30, 0x200]) s.hv.guestAccess(s.id, 0, gfn, true);
    s.hv.guestAccess(s.id, 1, 0x40, false);
    expect([...s.hv.dirtyGfns(s.id, false)]).toEqual([0x10, 0x30, 0x200]);
    expect([...s.hv.dirtyGfns(s.id)]).toEqual([0x10, 0x30, 0x200]);
    expect([...s.hv.dirtyGfns(s.id)]).toEqual([]);
    s.hv.hvmCopy(s.id, 0, 0x11);
    expect([...s.hv.dirtyGfns(s.id)]).toEqual([0x11]);
  });

  it('logs writes through a writable mapping, and gfns ballooned out and back in', () => {
    const s = simWith(ABI);
    s.hv.enableLogDirty(s.id);
    const mapping = s.hv.mapForeign(s.id, 0x50, true);
    s.hv.backendWrite(mapping);
    s.hv.unmapForeign(mapping);
    s.hv.decreaseReservation(s.id, 0x60, 0);
    expect([...s.hv.dirtyGfns(s.id)]).toEqual([0x50, 0x60]);
    s.hv.populatePhysmap(s.id, 0x60);
    expect([...s.hv.dirtyGfns(s.id)]).toEqual([0x60]);
  });

  it('logs an eviction and a page-in, which Xen does not (with xenBugs the page-in is missed, as in RELEASE-4.6.0 p2m_mem_paging_prep)', () => {
    for (const xenBugs of [false, true]) {
      const s = simWith(ABI, { xenBugs });
      s.hv.enableLogDirty(s.id);
      const bytes = s.pageOut(0x70);
      const afterEvict = [...s.hv.dirtyGfns(s.id)];
      expect(s.hv.guestAccess(s.id, 0, 0x70, false)).toBe('blocked');
      s.hv.prep(s.id, 0x70, bytes);
      s.answer(s.requests());
      expect([afterEvict, [...s.hv.dirtyGfns(s.id)]]).toEqual(xenBugs ? [[], []] : [[0x70], [0x70]]);
      expect(s.hv.contentMismatches(s.id).mismatches).toEqual([]);
    }
  });

  it('refuses to turn on twice (EBUSY) and to read the log when off (EINVAL)', () => {
    const s = simWith(ABI);
    expect(errnoOf(() => s.hv.dirtyGfns(s.id))).toBe('EINVAL');
    s.hv.enableLogDirty(s.id);
    expect(errnoOf(() => s.hv.enableLogDirty(s.id))).toBe('EBUSY');
    s.hv.disableLogDirty(s.id);
    s.hv.guestAccess(s.id, 0, 0x10, true);
    expect(errnoOf(() => s.hv.dirtyGfns(s.id))).toBe('EINVAL');
  });
});
