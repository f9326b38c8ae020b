import { BackRing, type PagingMessage } from '@pagevisor/core';
import { describe, expect, it } from 'vitest';
import { SimHypervisor } from '@pagevisor/testing';

const GFN = 0x300;

function age1(xenBugs: boolean) {
  const hv = new SimHypervisor({ abi: 'mem_event/age1', audit: true, machineFrames: 4096, xenBugs });
  const d = hv.createDomain({ maxPages: 1024 });
  hv.enablePaging(d.domid, 'mem_event/age1');
  return { hv, d, id: d.domid };
}

// In Xen 4.1 a foreign mapping of a paging_out gfn still succeeds (only paged gfns give ENOENT), so a
// device model or backend that looked the gfn up before nomination maps it after: seed 003's race.
describe('seed 003: a backend maps a page between nomination and eviction', () => {
  it('Xen 4.1 (xenBugs) evicts it anyway; the backend’s write is lost and the auditor names the gfn at page-in', () => {
    const { hv, d, id } = age1(true);
    hv.nominate(id, GFN);
    const grant = hv.mapForeign(id, GFN, true);
    const pagerCopy = hv.mapForeign(id, GFN, false);
    const saved = pagerCopy.bytes.slice();
    hv.unmapForeign(pagerCopy);
    hv.evict(id, GFN); // no reference re-check in 4.1
    hv.backendWrite(grant); // the block read completes into a frame the guest no longer has
    hv.unmapForeign(grant);
    expect(hv.guestAccess(id, 0, GFN, false)).toBe('blocked');
    hv.prep(id, GFN);
    const pagerWrite = hv.mapForeign(id, GFN, true);
    pagerWrite.bytes.set(saved);
    hv.unmapForeign(pagerWrite);
    // The fault's request is on the ring; answer it as xenpaging did.
    const back = new BackRing(d.paging!.ring);
    const requests: PagingMessage[] = [];
    back.drainRequests(d.paging!.abi, requests);
    back.pushResponses(d.paging!.abi, requests, 1);
    expect(() => hv.resume(id)).toThrow(`invariant broken after resume: domain ${id} gfn 0x300`);
  });

  it('with the fix, eviction fails with EBUSY and nothing is lost', () => {
    const { hv, id } = age1(false);
    hv.nominate(id, GFN);
    const grant = hv.mapForeign(id, GFN, true);
    expect(() => hv.evict(id, GFN)).toThrow(/evict: page is in use/);
    hv.backendWrite(grant);
    hv.unmapForeign(grant);
    expect(hv.readGfn(id, GFN)).toEqual(hv.expectedContent(id, GFN));
  });

  it('a grant map of a nominated gfn is refused with GNTST_eagain in every age', () => {
    const { hv, id } = age1(false);
    hv.nominate(id, GFN);
    expect(hv.grantMap(id, GFN, true)).toBe(-12);
  });
});

describe('seed 000 patches 6-7: M2P of a freed frame', () => {
  it.each([
    [false, -1],
    [true, GFN],
  ])('xenBugs %s: evict leaves M2P %d', (xenBugs, m2p) => {
    const { hv, d, id } = age1(xenBugs);
    const mfn = d.p2mMfn[GFN]!;
    hv.nominate(id, GFN);
    hv.evict(id, GFN);
    expect(hv.frames.m2p[mfn]).toBe(m2p);
    if (xenBugs) expect(() => hv.auditor!.auditDomain(d)).toThrow('a free frame has a stale M2P entry');
    else hv.auditor!.auditDomain(d);
  });

  it.each(['mem_event/age2', 'mem_event/4.2', 'vm_event/v7'])('xenBugs on %s: the free resets M2P (4515d7bd13, in 4.2.0)', (abi) => {
    const hv = new SimHypervisor({ abi, audit: true, machineFrames: 8192, xenBugs: true });
    const d = hv.createDomain({ maxPages: 1024, vcpus: 2, seed: 11 });
    hv.enablePaging(d.domid, abi);
    const mfn = d.p2mMfn[GFN]!;
    const mapping = abi === 'mem_event/age2' ? hv.mapForeign(d.domid, GFN, false) : undefined; // age 2 nominates with the pager's mapping
    hv.nominate(d.domid, GFN);
    if (mapping !== undefined) hv.unmapForeign(mapping);
    hv.evict(d.domid, GFN);
    expect(hv.frames.m2p[mfn]).toBe(-1);
    hv.auditor!.auditDomain(d);
  });
});
