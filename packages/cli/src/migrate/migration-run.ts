import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPager, type PagevisorPlugin } from '@pagevisor/core';
import { xenpaging } from '@pagevisor/policies';
import { GuestRunner, migrate, migrationFigures, mixWorkload, SimHypervisor, type MigrationFigures, type MigrationMode, type MigrationReport, type PagedTransfer } from '@pagevisor/testing';
import { chosenStorePlugin, type StoreChoice } from '../store/store-choice.js';

/** What `pagevisor migrate` was asked for. */
export interface MigrationRunOptions {
  readonly pages: number;
  /** Pages resident on the source before the migration (the rest paged out). */
  readonly target: number;
  readonly store: StoreChoice;
  readonly transfer: PagedTransfer;
  readonly mode: MigrationMode;
  /** Guest operations run before the migration starts (the workload goes on during its rounds). */
  readonly ops: number;
  readonly seed: number;
}

/** What `pagevisor migrate` reports: the migration's figures, and what was migrated how. */
export interface MigrationRunReport extends MigrationFigures {
  readonly outcome: MigrationReport['outcome'];
  readonly error: string | undefined;
  readonly pages: number;
  readonly pagedOutBefore: number;
  readonly transfer: PagedTransfer;
  readonly mode: MigrationMode;
  readonly store: string;
}

const ABI = 'vm_event/v7';

/**
 * Two simulated hosts in this process: a guest of `pages` paged down to `target` on the first, with a
 * pager over the chosen store and a writing workload, migrated by pre-copy or post-copy to the second,
 * whose pager takes over (by reference: the same store; streamed: a store of its own, of the same
 * kind). In post-copy the workload goes on at the destination while the owed pages come.
 */
export async function runMigration(options: MigrationRunOptions): Promise<MigrationRunReport> {
  const temp = options.store.kind === 'pagefile' || options.store.kind === 'sqlite' ? mkdtempSync(join(tmpdir(), 'pagevisor-migrate-')) : undefined;
  const storeAt = (host: 'a' | 'b'): PagevisorPlugin => {
    // By reference both pagers open the one store; streamed, each host has its own.
    const name = options.transfer === 'by-reference' ? 'shared' : host;
    const path = options.store.path !== undefined ? (options.transfer === 'by-reference' ? options.store.path : `${options.store.path}.${host}`) : temp === undefined ? undefined : join(temp, `${name}.${options.store.kind}`);
    const prefix = options.transfer === 'by-reference' ? options.store.prefix : `${options.store.prefix}${host}:`;
    return chosenStorePlugin({ ...options.store, path, prefix }, undefined);
  };
  try {
    const frames = options.pages * 2 + 4096;
    const a = new SimHypervisor({ abi: ABI, audit: true, machineFrames: frames });
    const b = new SimHypervisor({ abi: ABI, audit: true, machineFrames: frames });
    const guest = a.createDomain({ maxPages: options.pages, vcpus: 4, seed: options.seed });
    const pager = createPager({ hypervisor: a, domid: guest.domid, policy: xenpaging(), store: storeAt('a'), abi: ABI, config: { seed: options.seed } });
    await pager.start();
    a.setTarget(guest.domid, options.target);
    await pager.settle();
    const runner = new GuestRunner(a, guest.domid, mixWorkload({ pages: options.pages, accesses: options.ops + 2_000_000, seed: options.seed }));
    await runner.run(() => pager.settle(), options.ops);
    const pagedOutBefore = guest.pagedPages;
    const storeRef = `${options.store.kind}:${options.store.path ?? options.store.url ?? options.store.prefix}`;
    const report = await migrate({
      source: { hv: a, domid: guest.domid, pager, runner },
      destination: {
        hv: b,
        createPager: (domid, wrapStore) => createPager({ hypervisor: b, domid, policy: xenpaging(), store: wrapStore(storeAt('b')), abi: ABI, config: { seed: options.seed } }),
        reachableStore: storeRef,
        runner: (domid) => new GuestRunner(b, domid, mixWorkload({ pages: options.pages, accesses: 2_000_000, seed: options.seed + 1 })),
      },
      mode: options.mode,
      paged: options.transfer,
      storeRef,
    });
    if (report.outcome === 'migrated') await report.destinationPager!.stop('hard');
    else if (pager.status === 'running') await pager.stop('hard'); // by reference, a lost post-copy stopped it at the switch-over
    return {
      outcome: report.outcome,
      error: report.error === undefined ? undefined : String((report.error as Error).message ?? report.error),
      pages: options.pages,
      pagedOutBefore,
      transfer: options.transfer,
      mode: options.mode,
      store: options.store.kind,
      ...migrationFigures(report),
    };
  } finally {
    if (temp !== undefined) rmSync(temp, { recursive: true, force: true });
  }
}
