// The receiving end of a migration in the simulated Xen: an empty domain filled by restore calls.
import { describe, expect, it } from 'vitest';
import { P2mType, SimHypervisor } from '@pagevisor/testing';
import { errnoOf } from './support/errno-of.js';

function hosts() {
  const source = new SimHypervisor({ audit: true, machineFrames: 4096 });
  const target = new SimHypervisor({ audit: true, machineFrames: 4096 });
  const guest = source.createDomain({ maxPages: 1024, seed: 5 });
  const copy = target.createDomain({ maxPages: 1024, seed: 5, empty: true });
  return { source, target, guest, copy };
}

describe('restore into an empty domain', () => {
  it('starts with no RAM, and holds every page it is sent, checked against the adopted history', () => {
    const { source, target, guest, copy } = hosts();
    expect([copy.totPages, target.contentMismatches(copy.domid).checked]).toEqual([0, 0]);
    for (const gfn of [10, 11, 12]) source.guestAccess(guest.domid, 0, gfn, true);
    for (let gfn = 0; gfn < 1024; gfn++) if (guest.p2mType[gfn] === P2mType.ram_rw) target.restorePage(copy.domid, gfn, source.readGfn(guest.domid, gfn)!);
    expect(target.contentMismatches(copy.domid).mismatches).toEqual([10, 11, 12]); // versions not adopted yet
    target.adoptVersions(copy.domid, guest);
    expect(target.contentMismatches(copy.domid)).toMatchObject({ checked: guest.totPages, mismatches: [] });
    expect(copy.totPages).toBe(guest.totPages);
  });

  it('finds a page sent with the wrong bytes or an old version, and takes the last page sent for a gfn', () => {
    const { source, target, guest, copy } = hosts();
    const old = source.readGfn(guest.domid, 20)!;
    source.guestAccess(guest.domid, 0, 20, true);
    target.restorePage(copy.domid, 20, old);
    target.restorePage(copy.domid, 21, new Uint8Array(4096));
    target.restorePage(copy.domid, 22, old);
    target.restorePage(copy.domid, 22, source.readGfn(guest.domid, 22)!);
    target.adoptVersions(copy.domid, guest);
    expect(target.contentMismatches(copy.domid, { start: 20, end: 23 }).mismatches).toEqual([20, 21]);
  });

  it('restores paged-out gfns without a frame, and a later page brings one back; XTAB frees it', () => {
    const { target, copy } = hosts();
    target.restorePaged(copy.domid, 30);
    target.restorePaged(copy.domid, 30);
    expect([copy.p2mType[30], copy.pagedPages, copy.totPages]).toEqual([P2mType.ram_paged, 1, 0]);
    target.restorePage(copy.domid, 30, new Uint8Array(4096));
    expect([copy.p2mType[30], copy.pagedPages, copy.totPages]).toEqual([P2mType.ram_rw, 0, 1]);
    target.restoreInvalid(copy.domid, 30);
    expect([copy.p2mType[30], copy.totPages, target.frames.free]).toEqual([P2mType.invalid, 0, 4096]);
  });

  it('refuses gfns beyond the domain, short pages and a history of another guest', () => {
    const { source, target, copy } = hosts();
    expect(errnoOf(() => target.restorePage(copy.domid, 1024, new Uint8Array(4096)))).toBe('EINVAL');
    expect(errnoOf(() => target.restorePage(copy.domid, 1, new Uint8Array(100)))).toBe('EINVAL');
    expect(errnoOf(() => target.restorePaged(copy.domid, -1))).toBe('EINVAL');
    expect(errnoOf(() => target.adoptVersions(copy.domid, source.createDomain({ maxPages: 1024, seed: 6 })))).toBe('EINVAL');
  });
});
