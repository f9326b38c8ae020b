import { describe, expect, it } from 'vitest';
import { VM_EVENT_V7 } from '@pagevisor/core';
import { HvmRelocateHandler } from '@pagevisor/offline';
import { InterleavedPort, P2mType, SimHypervisor } from '@pagevisor/testing';

/**
 * The hvm-relocate handler copied the page before nominating it, so a guest write in between was lost
 * on a real Xen (the copy went back in, without the write). In xenpaging's order (nominate, map, copy,
 * evict) the write either lands before the copy or faults on the paging_out gfn and makes evict refuse.
 */
describe('hvm-relocate under a guest write at each of its steps', () => {
  for (const at of [1, 2, 3]) {
    it(`a write before its call number ${at} on the gfn is never lost`, async () => {
      const hv = new SimHypervisor({ abi: 'vm_event/v7', audit: true, machineFrames: 8192 });
      const domain = hv.createDomain({ maxPages: 2048, vcpus: 2, seed: 3 });
      hv.enablePaging(domain.domid, 'vm_event/v7');
      const gfn = 700;
      let calls = 0;
      // Before the handler's `at`-th call naming the gfn, vcpu 1 writes it.
      const port = new InterleavedPort(hv, (named) => {
        if (named === gfn && ++calls === at) hv.guestAccess(domain.domid, 1, gfn, true);
      });
      const result = await new HvmRelocateHandler().handle({ hypervisor: port, domid: domain.domid, gfn, mfn: domain.p2mMfn[gfn]!, status: 0, pagingProtocol: VM_EVENT_V7.protocol });
      expect([0, -1]).toContain(result.result);
      // A faulted write is answered by whoever pages; here nobody: resume by prep if the gfn is paging.
      if (domain.p2mType[gfn] !== P2mType.ram_rw) hv.prep(domain.domid, gfn);
      expect(hv.contentMismatches(domain.domid).mismatches).toEqual([]);
      expect(hv.expectedContent(domain.domid, gfn)).toEqual(hv.readGfn(domain.domid, gfn));
    });
  }
});
