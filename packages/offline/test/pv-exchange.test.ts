import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createOfflineManager, PG_OFFLINE, PG_OFFLINE_QUERY, type OfflineReport, type PageOfflineOp } from '@pagevisor/core';
import { hvmRelocate, migrateRequired, pvExchange, PvExchangeHandler } from '@pagevisor/offline';
import { FrameState, identityFrame, SimHypervisor } from '@pagevisor/testing';

function pvGuest(options: { pae?: boolean } = {}) {
  const hv = new SimHypervisor({ machineFrames: 8192 });
  const domain = hv.createPvDomain({ maxPages: 2048, seed: 5, ...options });
  const offline = createOfflineManager({ hypervisor: hv, handlers: [pvExchange(), hvmRelocate(), migrateRequired()] });
  return { hv, domain, offline };
}

/** What must hold after an attempt that did not report −2: content and page-table view unchanged. */
function intact(hv: SimHypervisor, domid: number, view: string[]): void {
  expect(hv.contentMismatches(domid).mismatches).toEqual([]);
  expect(hv.pv.pageTableView(domid)).toEqual(view);
}

describe('pv-exchange (xc_exchange_page)', () => {
  it('moves a suspended guest page to a new frame: result 0, the old frame offlined, content and page tables intact', async () => {
    const { hv, domain, offline } = pvGuest();
    const view = hv.pv.pageTableView(domain.domid);
    hv.pv.suspend(domain.domid);
    const bad = domain.p2mMfn[100]!;
    const report = await offline.offlinePage(bad);
    expect(report).toMatchObject({ handler: 'pv-exchange', result: 0, frameStatus: 'offlined' });
    expect(domain.p2mMfn[100]).not.toBe(bad);
    expect(hv.pv.guest(domain.domid).p2m.get(100)).toBe(BigInt(domain.p2mMfn[100]!));
    expect(hv.pv.guest(domain.domid).p2m.get(0xa0)).toBe(identityFrame(0xa0)); // the VGA hole maps 1:1
    expect(hv.frames.state[bad]).toBe(FrameState.offlined);
    expect(hv.pv.pvDomain(domain.domid)!.suspended).toBe(false); // resumed, as xen-hptool does
    intact(hv, domain.domid, view);
  });

  it('exchanges a pinned L4 table: unpinned, moved, re-pinned at its new frame', async () => {
    const { hv, domain, offline } = pvGuest();
    const view = hv.pv.pageTableView(domain.domid);
    const root = hv.pv.guest(domain.domid).root;
    hv.pv.suspend(domain.domid);
    expect(await offline.offlinePage(root)).toMatchObject({ result: 0, frameStatus: 'offlined' });
    const moved = hv.pv.guest(domain.domid).root;
    expect(moved).not.toBe(root);
    expect(hv.pv.pinnedLevel(domain.domid, moved)).toBe(4);
    intact(hv, domain.domid, view);
  });

  const refusals: Array<[string, (hv: SimHypervisor, domid: number, gfn: number) => void, RegExp, boolean?]> = [
    ['an unsuspended domain', () => undefined, /not suspended/],
    ['a granted frame', (hv, domid, gfn) => hv.pv.grant(domid, 7, gfn), /granted/],
    ['an L3 table of a PAE guest', () => undefined, /PAE/, true],
  ];
  for (const [what, arrange, reason, pae] of refusals) {
    it(`refuses ${what}: -1, nothing changed`, async () => {
      const { hv, domain, offline } = pvGuest({ pae });
      const guest = hv.pv.guest(domain.domid);
      const l3 = [...guest.tables].find(([, t]) => t.level === 3)![0];
      if (pae) guest.pinned.set(l3, 3);
      const gfn = 1000;
      const mfn = pae ? l3 : domain.p2mMfn[gfn]!;
      arrange(hv, domain.domid, gfn);
      if (!what.includes('unsuspended')) hv.pv.suspend(domain.domid);
      const view = hv.pv.pageTableView(domain.domid);
      const report = await offline.offlinePage(mfn);
      expect(report).toMatchObject({ handler: 'pv-exchange', result: -1, frameStatus: 'offline-pending' });
      expect(report.reason).toMatch(reason);
      intact(hv, domain.domid, view);
    });
  }

  it('an exchange that fails restores the PTEs: -1, content and page tables intact', async () => {
    const { hv, domain, offline } = pvGuest();
    const view = hv.pv.pageTableView(domain.domid);
    hv.pv.suspend(domain.domid);
    hv.pv.faults = { exchange: true };
    const report = await offline.offlinePage(domain.p2mMfn[300]!);
    expect(report).toMatchObject({ result: -1, frameStatus: 'offline-pending' });
    expect(report.reason).toMatch(/XENMEM_exchange failed.*restored/);
    intact(hv, domain.domid, view);
  });

  it('a PTE rewrite that fails after the exchange is -2: the guest may be broken', async () => {
    const { hv, domain, offline } = pvGuest();
    hv.pv.suspend(domain.domid);
    const guest = hv.pv.guest(domain.domid);
    // An L1 table: its frame is mapped by one L1 entry and pointed at by one L2 entry, so two rewrites.
    const l1 = [...guest.tables].find(([, t]) => t.level === 1)![0];
    hv.pv.faults = { updatesBeforeFailure: 3 }; // 2 clears succeed, the first rewrite succeeds, the second fails
    const report = await offline.offlinePage(l1);
    expect(report).toMatchObject({ handler: 'pv-exchange', result: -2 });
    expect(report.reason).toMatch(/guest may be broken/);
  });

  it('an old frame not offlined after the exchange is -2, not Xen\'s -1: the PTEs already point at the empty new frame', async () => {
    const { hv, domain } = pvGuest();
    hv.pv.suspend(domain.domid);
    const bad = domain.p2mMfn[100]!;
    expect(hv.pageOffline('offline', bad) & PG_OFFLINE.PENDING).toBeTruthy();
    // A hypervisor whose query still says pending after the exchange (step 11 of xc_exchange_page).
    const stillPending = new Proxy(hv, {
      get: (target, key, receiver) => {
        if (key === 'pageOffline') return (op: PageOfflineOp, mfn: number) => (op === 'query' ? PG_OFFLINE_QUERY.OFFLINE_PENDING : target.pageOffline(op, mfn));
        const value = Reflect.get(target, key, receiver);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    const result = await new PvExchangeHandler().handle({ hypervisor: stillPending, domid: domain.domid, gfn: 100, mfn: bad, status: 0, pagingProtocol: undefined });
    expect(result.result).toBe(-2);
    expect(result.reason).toMatch(/not offlined after the exchange, and the page tables already point at the empty new frame/);
  });

  it('a re-pin that fails after the exchange is -2', async () => {
    const { hv, domain, offline } = pvGuest();
    hv.pv.suspend(domain.domid);
    hv.pv.faults = { pin: true };
    const report = await offline.offlinePage(hv.pv.guest(domain.domid).root);
    expect(report).toMatchObject({ result: -2, frameStatus: 'offlined' });
    expect(report.reason).toMatch(/re-pinning the L4 table failed/);
  });

  it('after any attempt, content and the page-table view are unchanged unless the result is -2', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          gfn: fc.integer({ min: 1, max: 2000 }),
          suspended: fc.boolean(),
          granted: fc.boolean(),
          exchangeFails: fc.boolean(),
          updatesBeforeFailure: fc.option(fc.integer({ min: 0, max: 4 }), { nil: undefined }),
          pinFails: fc.boolean(),
          tablePick: fc.integer({ min: 0, max: 10 }),
        }),
        async (c) => {
          const { hv, domain, offline } = pvGuest();
          const guest = hv.pv.guest(domain.domid);
          const tables = [...guest.tables.keys()];
          const ram = Array.from(domain.p2mMfn).filter((m) => m >= 0);
          const mfn = c.tablePick < 3 ? tables[c.tablePick % tables.length]! : ram[c.gfn % ram.length]!;
          if (c.granted) hv.pv.grant(domain.domid, 1, hv.frames.m2p[mfn]!);
          if (c.suspended) hv.pv.suspend(domain.domid);
          hv.pv.faults = { exchange: c.exchangeFails, updatesBeforeFailure: c.updatesBeforeFailure, pin: c.pinFails };
          const view = hv.pv.pageTableView(domain.domid);
          const report: OfflineReport = await offline.offlinePage(mfn);
          expect([0, -1, -2]).toContain(report.result);
          if (report.result !== -2) intact(hv, domain.domid, view);
          if (report.result === 0) expect(hv.frames.state[mfn]).toBe(FrameState.offlined);
        },
      ),
      { numRuns: 120 },
    );
  });
});
