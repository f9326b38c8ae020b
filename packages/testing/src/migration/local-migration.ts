import type { Pager } from '@pagevisor/core';
import type { SimHypervisor } from '../sim/sim-hypervisor.js';
import { migrate, type MigrationDestination, type MigrationReport } from './migrate.js';
import type { PagedTransfer } from './migration-sender.js';

/**
 * Options of {@link localMigration}.
 *
 * @example
 * ```ts
 * const options: LocalMigrationOptions = { hv, pagerOf: (domid) => pagers.get(domid), createPager: (domid, wrapStore) => createPager({ hypervisor: hv, domid, policy: xenpaging(), store: wrapStore(memoryStore()) }) };
 * ```
 */
export interface LocalMigrationOptions {
  /** The host. */
  readonly hv: SimHypervisor;
  /** The pager of a domain that may be moved (none: it is not paged, and is not moved). */
  readonly pagerOf: (domid: number) => Pager | undefined;
  /** Builds the pager of the domain's new copy, as a {@link MigrationDestination}'s. */
  readonly createPager: MigrationDestination['createPager'];
  /** How the paged-out pages move (default `stream`; `by-reference` with a store both pagers open in turn). */
  readonly paged?: PagedTransfer;
  /** `by-reference`: the store's name, as {@link MigrateOptions.storeRef}. */
  readonly storeRef?: string;
  /** Hears every migration's report, the new pager in it. */
  readonly onMigrated?: (report: MigrationReport) => void;
}

/**
 * What a {@link localMigration} did with a domain: moved it (its new id), or not (why).
 *
 * @example
 * ```ts
 * const outcome: LocalMove = { declined: 'domain 3 has no running pager to hand its paged-out pages over' };
 * ```
 */
export type LocalMove =
  | {
      /** The domain's id on its fresh frames. */
      readonly domid: number;
    }
  | {
      /** Why it could not be moved (the domain is as it was). */
      readonly declined: string;
    };

/**
 * A local migrator for `@pagevisor/offline`'s `migrateRequired`: moves a paged HVM domain to fresh
 * frames of the same simulated host by pre-copy ({@link migrate} with the host on both sides), as `xl
 * migrate <domain> localhost` would. Its pager stops, a pager for the new domain takes its paged-out
 * pages over, and the old domain is destroyed, freeing every frame it had: a frame being offlined goes
 * offline. A domain without a pager, or a migration that fails (too few free frames for a second copy
 * of its resident pages), is declined with the reason; the domain goes on as it was.
 *
 * @example
 * ```ts
 * const offline = createOfflineManager({ hypervisor: hv, handlers: [hvmRelocate(), migrateRequired({ localMigration: localMigration({ hv, pagerOf, createPager }) })], pagers });
 * ```
 */
export function localMigration(options: LocalMigrationOptions): (request: { readonly domid: number }) => Promise<LocalMove> {
  return async ({ domid }) => {
    const pager = options.pagerOf(domid);
    if (pager === undefined || pager.status !== 'running') return { declined: `domain ${domid} has no running pager to hand its paged-out pages over` };
    const report = await migrate({
      source: { hv: options.hv, domid, pager },
      destination: { hv: options.hv, createPager: options.createPager, reachableStore: options.storeRef },
      paged: options.paged,
      storeRef: options.storeRef,
    });
    options.onMigrated?.(report);
    if (report.outcome !== 'migrated') return { declined: report.error instanceof Error ? report.error.message : String(report.error) };
    if (report.verdict!.mismatches.length > 0 || report.invariantViolations > 0) {
      throw new Error(`the local migration of domain ${domid} left ${report.verdict!.mismatches.length} pages wrong and ${report.invariantViolations} invariant violations`);
    }
    return { domid: report.destinationDomid! };
  };
}
