import { createOfflineManager, createPager, type OfflineOutcome, type OfflineReport, type Pager } from '@pagevisor/core';
import { hvmRelocate, migrateRequired, pvExchange, type LocalMigrator } from '@pagevisor/offline';
import { xenpaging } from '@pagevisor/policies';
import { memoryStore } from '@pagevisor/storage';
import { localMigration, SimHypervisor, type SimDomain } from '@pagevisor/testing';

/** One line of `pagevisor offline demo`. */
export interface ScenarioResult {
  readonly scenario: string;
  readonly handler: string | null;
  readonly result: OfflineOutcome | null;
  readonly frameStatus: OfflineReport['frameStatus'];
  readonly contentPreserved: boolean;
  /** Whether the outcome is the one the scenario expects. */
  readonly expected: boolean;
  /** The outcome the scenario expects, and what it means. */
  readonly expectedOutcome: { readonly handler: string; readonly result: OfflineOutcome; readonly why: string };
  readonly reason?: string;
}

interface Scenario {
  readonly name: string;
  /** The simulated Xen's ABI (default: the simulator's). */
  readonly abi?: string;
  readonly expect: { readonly handler: string; readonly result: OfflineOutcome; readonly frameStatus?: OfflineReport['frameStatus']; readonly contentPreserved?: boolean; readonly why: string };
  /**
   * Builds the guest and returns the frame to offline; `after` tidies up and returns the domain whose
   * content is checked, if the guest moved to another one.
   */
  setup(hv: SimHypervisor): Promise<{ domain: SimDomain; mfn: number; pager?: Pager; localMigration?: LocalMigrator; after?: () => Promise<number | void> }>;
}

/** Xen 4.1's ABI: its prep does not load the page, so hvm-relocate cannot move it. */
const XEN_4_1 = 'mem_event/age2';

function pv(arrange: (hv: SimHypervisor, domain: SimDomain, gfn: number) => void): Scenario['setup'] {
  return async (hv) => {
    const domain = hv.createPvDomain({ maxPages: 4096, seed: 11 });
    const gfn = 1234;
    hv.pv.suspend(domain.domid);
    arrange(hv, domain, gfn);
    return { domain, mfn: domain.p2mMfn[gfn]! };
  };
}

/** The seven scenarios of `pagevisor offline demo` (docs/guides/offline.md), each on its own simulated machine. */
export const OFFLINE_SCENARIOS: readonly Scenario[] = [
  { name: 'pv-exchange', expect: { handler: 'pv-exchange', result: 0, frameStatus: 'offlined', contentPreserved: true, why: 'exchanged for a fresh frame, the bad one offlined' }, setup: pv(() => undefined) },
  { name: 'pv-granted', expect: { handler: 'pv-exchange', result: -1, contentPreserved: true, why: 'refused: another domain holds a grant of the page' }, setup: pv((hv, d, gfn) => hv.pv.grant(d.domid, 3, gfn)) },
  { name: 'pv-exchange-fails', expect: { handler: 'pv-exchange', result: -1, contentPreserved: true, why: 'XENMEM_exchange fails: the page tables are restored, nothing changed' }, setup: pv((hv) => (hv.pv.faults = { exchange: true })) },
  {
    name: 'pv-rewrite-fails',
    expect: { handler: 'pv-exchange', result: -2, why: 'a page-table rewrite fails after the exchange: the guest may be inconsistent' },
    async setup(hv) {
      const domain = hv.createPvDomain({ maxPages: 4096, seed: 11 });
      hv.pv.suspend(domain.domid);
      // An L1 table's frame is mapped twice (by an L1 entry and an L2 entry): the second rewrite fails.
      const l1 = [...hv.pv.guest(domain.domid).tables].find(([, t]) => t.level === 1)![0];
      hv.pv.faults = { updatesBeforeFailure: 3 };
      return { domain, mfn: l1 };
    },
  },
  {
    name: 'hvm-relocate',
    expect: { handler: 'hvm-relocate', result: 0, frameStatus: 'offlined', contentPreserved: true, why: 'moved off the frame through paging, the frame offlined' },
    async setup(hv) {
      const domain = hv.createDomain({ maxPages: 4096, vcpus: 2, seed: 11 });
      const pager = createPager({ hypervisor: hv, domid: domain.domid, policy: xenpaging(), store: memoryStore() });
      await pager.start();
      return { domain, mfn: domain.p2mMfn[1234]!, pager, after: async () => void (await pager.stop('graceful')) };
    },
  },
  {
    name: 'hvm-local-migrate',
    abi: XEN_4_1,
    expect: { handler: 'migrate-required', result: 0, frameStatus: 'offlined', contentPreserved: true, why: "on Xen 4.1's ABI: migrated to fresh frames on the host, the frame offlined" },
    async setup(hv) {
      const domain = hv.createDomain({ maxPages: 4096, vcpus: 2, seed: 11 });
      const pager = createPager({ hypervisor: hv, domid: domain.domid, policy: xenpaging(), store: memoryStore(), abi: XEN_4_1 });
      await pager.start();
      hv.setTarget(domain.domid, 2048);
      await pager.settle();
      let moved: { domid: number; pager: Pager } | undefined;
      const move = localMigration({
        hv,
        pagerOf: (domid) => (domid === domain.domid ? pager : undefined),
        createPager: (domid, wrapStore) => createPager({ hypervisor: hv, domid, policy: xenpaging(), store: wrapStore(memoryStore()), abi: XEN_4_1 }),
        onMigrated: (report) => (moved = report.destinationPager === undefined ? undefined : { domid: report.destinationDomid!, pager: report.destinationPager }),
      });
      return {
        domain,
        mfn: domain.p2mMfn[1234]!,
        pager,
        localMigration: move,
        async after() {
          if (moved === undefined) return;
          await moved.pager.stop('graceful'); // its paged-out pages come back in, to be checked in memory
          return moved.domid;
        },
      };
    },
  },
  {
    name: 'hvm-no-paging',
    expect: { handler: 'migrate-required', result: 'declined', contentPreserved: true, why: 'no pager to move the page: live-migrate the guest' },
    async setup(hv) {
      const domain = hv.createDomain({ maxPages: 4096, vcpus: 2, seed: 11 });
      return { domain, mfn: domain.p2mMfn[1234]! };
    },
  },
];

/** Runs one scenario on a fresh simulated machine. */
export async function runScenario(scenario: Scenario): Promise<ScenarioResult> {
  const hv = new SimHypervisor({ machineFrames: 16384, ...(scenario.abi === undefined ? {} : { abi: scenario.abi }) });
  const { domain, mfn, pager, localMigration, after } = await scenario.setup(hv);
  const offline = createOfflineManager({ hypervisor: hv, handlers: [pvExchange(), hvmRelocate(), migrateRequired({ localMigration })], pagers: pager ? [pager] : [] });
  const report = await offline.offlinePage(mfn);
  const checked = (await after?.()) ?? domain.domid;
  const contentPreserved = hv.contentMismatches(checked).mismatches.length === 0;
  const e = scenario.expect;
  const expected =
    report.handler === e.handler && report.result === e.result && (e.frameStatus === undefined || report.frameStatus === e.frameStatus) && (e.contentPreserved === undefined || contentPreserved === e.contentPreserved);
  return {
    scenario: scenario.name,
    handler: report.handler ?? null,
    result: report.result ?? null,
    frameStatus: report.frameStatus,
    contentPreserved,
    expected,
    expectedOutcome: { handler: e.handler, result: e.result, why: e.why },
    ...(report.reason ? { reason: report.reason } : {}),
  };
}
