import { PG_OFFLINE } from '@pagevisor/core';
import { describe, expect, it } from 'vitest';
import { DOMID_XEN, FrameState, SimHypervisor } from '@pagevisor/testing';

/** The page-offline sysctl answers as RELEASE-4.2.0 `offline_page` does. */
describe('XEN_SYSCTL_page_offline_op offline', () => {
  it('a broken frame a domain owns: AGAIN alone, and the owner is crashed', () => {
    const hv = new SimHypervisor({ machineFrames: 4096 });
    const d = hv.createDomain({ maxPages: 1024 });
    const mfn = d.p2mMfn[300]!;
    hv.markBroken(mfn);
    expect(hv.pageOffline('offline', mfn)).toBe(PG_OFFLINE.AGAIN);
    expect(d.crashed).toMatch(/broken/);
  });

  it('a Xen-heap frame: XENPAGE | PENDING with DOMID_XEN as owner, not EPERM', () => {
    const hv = new SimHypervisor({ machineFrames: 4096 });
    const mfn = hv.frames.allocate(DOMID_XEN);
    expect(hv.pageOffline('offline', mfn)).toBe(PG_OFFLINE.XENPAGE | PG_OFFLINE.PENDING | (DOMID_XEN << PG_OFFLINE.OWNER_SHIFT));
    expect(hv.frames.state[mfn]).toBe(FrameState.offlining);
  });

  it('no BROKEN bit from the sysctl (it calls offline_page with broken = 0)', () => {
    const hv = new SimHypervisor({ machineFrames: 4096 });
    const free = 4000;
    hv.markBroken(free);
    expect(hv.pageOffline('offline', free)).toBe(PG_OFFLINE.OFFLINED);
  });
});
