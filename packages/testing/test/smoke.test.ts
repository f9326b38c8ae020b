import { BUILTIN_ABIS } from '@pagevisor/core';
import { describe, expect, it } from 'vitest';
import { SimHypervisor } from '@pagevisor/testing';
import { MiniPager } from './support/mini-pager.js';

describe.each(BUILTIN_ABIS.map((abi) => [abi.id]))('%s: page out, fault, page in', (abiId) => {
  it('keeps content and counters', () => {
    const hv = new SimHypervisor({ abi: abiId, audit: true, machineFrames: 8192 });
    const d = hv.createDomain({ maxPages: 2048, vcpus: 2, seed: 7 });
    const pager = new MiniPager(hv, d.domid, abiId);
    for (const gfn of [300, 301, 302]) expect(pager.pageOut(gfn)).toBe(true);
    expect(d.pagedPages).toBe(3);
    expect(hv.guestAccess(d.domid, 0, 300, true)).toBe('blocked');
    expect(hv.guestAccess(d.domid, 1, 301, false)).toBe('blocked');
    pager.service();
    for (const v of [0, 1]) hv.releaseSpin(d.domid, v);
    expect(d.runnable(0)).toBe(true);
    expect(d.runnable(1)).toBe(true);
    expect(hv.guestAccess(d.domid, 0, 300, true)).toBe('done');
    expect(d.pagedPages).toBe(1);
    hv.auditor!.auditDomain(d);
    expect(hv.readGfn(d.domid, 301)).toEqual(hv.expectedContent(d.domid, 301));
  });
});
