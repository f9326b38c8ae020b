import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPager, type PagevisorPlugin } from '@pagevisor/core';
import { xenpaging } from '@pagevisor/policies';
import { memoryStore, pagefileStore } from '@pagevisor/storage';
import { GuestRunner, guestVerdict, migrate, mixWorkload, SimHypervisor, type MigrateOptions } from '@pagevisor/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { pagedToHalf } from './support.js';

const ABI = 'vm_event/v7';
/** A fast link keeps the guest's share of each round short (the rounds' virtual time is what it runs for). */
const LINK = 2e10;
let dir: string | undefined;
afterEach(() => {
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

/** A guest paged to half on host A under a writing workload, host B empty; post-copy options, the guest working on at B. */
async function twoHosts(store: () => PagevisorPlugin = () => memoryStore(), destinationStore: () => PagevisorPlugin = () => memoryStore()) {
  const { hv, guest, pager } = await pagedToHalf(ABI, { store: store() });
  const runner = new GuestRunner(hv, guest.domid, mixWorkload({ pages: 4096, accesses: 200_000, seed: 3 }));
  await runner.run(() => pager.settle(), 20_000);
  const target = new SimHypervisor({ abi: ABI, audit: true, machineFrames: 16384 });
  const options: MigrateOptions = {
    mode: 'postcopy',
    source: { hv, domid: guest.domid, pager, runner },
    linkBytesPerSecond: LINK,
    destination: {
      hv: target,
      createPager: (domid, wrapStore) => createPager({ hypervisor: target, domid, policy: xenpaging(), store: wrapStore(destinationStore()), abi: ABI }),
      runner: (domid) => new GuestRunner(target, domid, mixWorkload({ pages: 4096, accesses: 100_000, seed: 5 })),
    },
  };
  return { hv, guest, pager, target, options };
}

describe('post-copy migration between two simulated hosts', { timeout: 60_000 }, () => {
  it('resumes the guest on the destination after one round; its faults fetch owed pages first, the push brings the rest', async () => {
    const { hv, guest, target, options } = await twoHosts();
    const report = await migrate(options);
    expect(report.outcome).toBe('migrated');
    expect(report.verdict!.mismatches).toEqual([]);
    expect(report.invariantViolations).toBe(0);
    expect(report.rounds).toBe(2); // the first (every page), then the switch-over
    const postcopy = report.postcopy!;
    expect(postcopy.owed).toBeGreaterThan(100);
    expect(postcopy.requested).toBeGreaterThan(0);
    expect(postcopy.pushed).toBeGreaterThan(0);
    expect(postcopy.requested + postcopy.pushed).toBeLessThanOrEqual(postcopy.owed); // none sent twice (some given up by the balloon)
    expect(postcopy.requests).toBeGreaterThan(0);
    expect(postcopy.recoveries).toBe(0);
    // The pause is the switch-over: a list of gfns, far less than the owed pages' bytes.
    expect(report.downtimeNs).toBeGreaterThan(0);
    expect(report.downtimeNs).toBeLessThan((postcopy.owed * 4096 * 1e9) / LINK / 100);
    expect(hv.listDomains().some((d) => d.domid === guest.domid)).toBe(false);
    // The guest goes on at the destination, at its target again.
    const moved = target.domain(report.destinationDomid!);
    expect(moved.totPages).toBe(guest.targetPages);
    const after = await new GuestRunner(target, moved.domid, mixWorkload({ pages: 4096, accesses: 20_000, seed: 9 })).run(() => report.destinationPager!.settle());
    expect(after.stalled).toBe(false);
    expect((await guestVerdict(target, moved.domid, report.destinationPager!.pageStore)).mismatches).toEqual([]);
    await report.destinationPager!.stop('hard');
  });
});
