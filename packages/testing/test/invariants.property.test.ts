import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { GNTST_EAGAIN, isGuestMemory, isPagingType, SimHypervisor, type SimDomain } from '@pagevisor/testing';
import type { ForeignMapping } from '@pagevisor/core';
import { MiniPager } from './support/mini-pager.js';

type Op =
  | { kind: 'access'; vcpu: number; page: number; write: boolean }
  | { kind: 'copy'; vcpu: number; page: number }
  | { kind: 'pageOut'; page: number }
  | { kind: 'service' }
  | { kind: 'balloonOut'; vcpu: number; page: number }
  | { kind: 'balloonIn' }
  | { kind: 'grant'; page: number }
  | { kind: 'ungrant' };

const PAGES = 48;
const VCPUS = 3;
const page = fc.nat({ max: PAGES - 1 });
const vcpu = fc.nat({ max: VCPUS - 1 });
const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('access' as const), vcpu, page, write: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('copy' as const), vcpu, page }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('pageOut' as const), page }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('service' as const) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('balloonOut' as const), vcpu, page }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('balloonIn' as const) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('grant' as const), page }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('ungrant' as const) }) },
);

/** The guest pages the ops touch: RAM above the low gfns. */
const gfnOf = (p: number) => 0x200 + p;

function run(abiId: string, ops: readonly Op[]): SimDomain {
  const hv = new SimHypervisor({ abi: abiId, audit: true, machineFrames: 4096 });
  const d = hv.createDomain({ maxPages: 1024, vcpus: VCPUS, seed: 3 });
  const pager = new MiniPager(hv, d.domid, abiId);
  const ballooned: number[] = [];
  const grants: ForeignMapping[] = [];
  for (const o of ops) {
    switch (o.kind) {
      case 'access':
        if (d.runnable(o.vcpu)) hv.guestAccess(d.domid, o.vcpu, gfnOf(o.page), o.write);
        break;
      case 'copy':
        if (d.runnable(o.vcpu)) hv.hvmCopy(d.domid, o.vcpu, gfnOf(o.page));
        break;
      case 'pageOut':
        if (d.p2mType[gfnOf(o.page)] === 0 && !pager.store.has(gfnOf(o.page))) pager.pageOut(gfnOf(o.page));
        break;
      case 'service':
        pager.service();
        for (let v = 0; v < VCPUS; v++) hv.releaseSpin(d.domid, v);
        break;
      case 'balloonOut': {
        const gfn = gfnOf(o.page);
        if (grants.some((g) => g.gfn === gfn) || !isGuestMemory(d.p2mType[gfn]!)) break;
        hv.decreaseReservation(d.domid, gfn, o.vcpu);
        ballooned.push(gfn);
        break;
      }
      case 'balloonIn': {
        const gfn = ballooned.shift();
        if (gfn !== undefined) hv.populatePhysmap(d.domid, gfn);
        break;
      }
      case 'grant': {
        const gfn = gfnOf(o.page);
        if (!isGuestMemory(d.p2mType[gfn]!)) break;
        const mapping = hv.grantMap(d.domid, gfn, true);
        if (mapping !== GNTST_EAGAIN) grants.push(mapping);
        break;
      }
      case 'ungrant': {
        const mapping = grants.shift();
        if (mapping !== undefined) {
          hv.backendWrite(mapping);
          hv.unmapForeign(mapping);
        }
        break;
      }
    }
  }
  // Drain: answer everything, let every vcpu finish, page every gfn back in, then audit it all.
  for (const mapping of grants) hv.unmapForeign(mapping);
  for (let round = 0; round < 20; round++) {
    pager.service();
    for (let v = 0; v < VCPUS; v++) hv.releaseSpin(d.domid, v);
  }
  for (let p = 0; p < PAGES; p++) {
    const gfn = gfnOf(p);
    if (!isPagingType(d.p2mType[gfn]!)) continue;
    try {
      hv.unmapForeign(hv.mapForeign(d.domid, gfn, false));
    } catch {
      // ENOENT: the page-in has started; the pager finishes it below
    }
    for (let round = 0; round < 5; round++) pager.service();
  }
  hv.auditor!.auditDomain(d, 'final');
  expect(hv.contentMismatches(d.domid).mismatches).toEqual([]);
  return d;
}

describe('random interleavings of guest, pager and backend operations keep every invariant', () => {
  it.each([['mem_event/age1'], ['mem_event/age2'], ['mem_event/age3'], ['mem_event/4.2'], ['vm_event/v1'], ['vm_event/v7']])('%s', (abiId) => {
    fc.assert(
      fc.property(fc.array(op, { minLength: 20, maxLength: 150 }), (ops) => {
        const d = run(abiId, ops);
        expect(d.crashed).toBeUndefined();
        expect(d.pagedPages).toBe(0);
      }),
      { numRuns: 60 },
    );
  });
});
