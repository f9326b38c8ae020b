import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onTestFinished } from 'vitest';
import { createPager, type PagerConfig, type PagevisorPlugin } from '@pagevisor/core';
import { xenpaging } from '@pagevisor/policies';
import { memoryStore } from '@pagevisor/storage';
import { GuestRunner, mixWorkload, SimHypervisor, type SimHypervisorOptions } from '@pagevisor/testing';

/** A simulated machine with one guest and a pager on it, not started. */
export function setup(
  abi: string,
  options: { maxPages?: number; vcpus?: number; store?: PagevisorPlugin; policy?: PagevisorPlugin; config?: PagerConfig; sim?: SimHypervisorOptions } = {},
) {
  const hv = new SimHypervisor({ abi, audit: true, machineFrames: 16384, ...options.sim });
  const guest = hv.createDomain({ maxPages: options.maxPages ?? 4096, vcpus: options.vcpus ?? 4, seed: 21 });
  const pager = createPager({
    hypervisor: hv,
    domid: guest.domid,
    policy: options.policy ?? xenpaging({ mruSize: 64 }),
    store: options.store ?? memoryStore(),
    abi,
    config: options.config,
  });
  return { hv, guest, pager };
}

/** {@link setup}, then the pager started and the guest paged down to half its pages. */
export async function pagedToHalf(abi: string, options: Parameters<typeof setup>[1] = {}) {
  const machine = setup(abi, options);
  await machine.pager.start();
  machine.hv.setTarget(machine.guest.domid, machine.guest.totPages >> 1);
  await machine.pager.settle();
  return machine;
}

/** Pages of the guest {@link guestUnderWorkloadAndEmptyHost} makes. */
export const MIGRATED_PAGES = 2048;

/**
 * For a migration: a guest of {@link MIGRATED_PAGES} paged to half on one host with a writing workload
 * that has run 10 000 operations (and goes on during the rounds), and an empty second host.
 */
export async function guestUnderWorkloadAndEmptyHost(abi: string, store: PagevisorPlugin) {
  const { hv, guest, pager } = await pagedToHalf(abi, { store, maxPages: MIGRATED_PAGES });
  const runner = new GuestRunner(hv, guest.domid, mixWorkload({ pages: MIGRATED_PAGES, accesses: 200_000, seed: 3 }));
  await runner.run(() => pager.settle(), 10_000);
  const target = new SimHypervisor({ abi, audit: true, machineFrames: 16384 });
  return { hv, guest, pager, runner, target };
}

/** gfns of RAM whose content differs from what the guest last wrote. */
export function integrityMismatches(hv: SimHypervisor, domid: number): number[] {
  return hv.contentMismatches(domid).mismatches;
}

/** A pagefile path in a directory of its own, removed when the test finishes. */
export function tempPagefile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'pagevisor-migrate-'));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  return join(dir, 'guest.pagefile');
}
