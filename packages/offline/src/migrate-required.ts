import { OFFLINE_HANDLERS, type OfflineHandler, type OfflineRequest, type OfflineResult, type HostPlugin } from '@pagevisor/core';

/**
 * Moves a domain to fresh frames on the same host, a local migration, freeing every frame it had (the
 * failing one among them): resolves to the domain's new id, or to why it could not, the domain left
 * as it was. `@pagevisor/testing`'s `localMigration` is one for the simulated Xen.
 *
 * @example
 * ```ts
 * const move: LocalMigrator = async ({ domid }) => ({ declined: `no second copy of domain ${domid} fits on this host` });
 * ```
 */
export type LocalMigrator = (request: OfflineRequest) => Promise<
  | {
      /** The domain's id on its fresh frames. */
      readonly domid: number;
    }
  | {
      /** Why it could not be moved (the domain is as it was). */
      readonly declined: string;
    }
>;

/**
 * `migrate-required`: the last handler, for frames nothing else can move. Without a
 * {@link LocalMigrator} it changes nothing and declines with the reason and the remedy Xen gave
 * (d06a984487: "user have to live migrate it"); the frame stays `offline-pending` and goes offline when
 * its owner frees it. With one, it does what that remedy says for an HVM domain: migrates it to fresh
 * frames on the same host, so the failing frame is freed and goes offline (result 0); a PV domain, or a
 * migration that cannot be done, is declined as before.
 *
 * @example
 * ```ts
 * await new MigrateRequiredHandler().handle(request); // { result: 'declined', reason: '… live-migrate the domain …' }
 * ```
 */
export class MigrateRequiredHandler implements OfflineHandler {
  readonly name = 'migrate-required';

  /** @param migrate - moves an HVM domain to fresh frames on this host (none: only declines) */
  constructor(private readonly migrate?: LocalMigrator) {}

  canHandle(): boolean {
    return true;
  }

  async handle(request: OfflineRequest): Promise<OfflineResult> {
    const { hypervisor, domid, mfn } = request;
    const info = hypervisor.domainInfo(domid);
    const frame = `mfn 0x${mfn.toString(16)} belongs to domain ${domid}`;
    if (info.hvm && this.migrate !== undefined) {
      const moved = await this.migrate(request);
      if ('domid' in moved) return { result: 0, reason: `${frame}: the domain was migrated to fresh frames on this host, as domain ${moved.domid}, and the frame freed` };
      return { result: 'declined', reason: `${frame}, an HVM domain that no other handler could move: a local migration could not be done (${moved.declined}); live-migrate the domain to free the frame` };
    }
    const why = info.hvm ? 'an HVM domain without paging enabled' : 'a PV domain that is not suspended or cannot exchange this page';
    return { result: 'declined', reason: `${frame}, ${why}: live-migrate the domain to free the frame` };
  }
}

/**
 * Options of {@link migrateRequired}.
 *
 * @example
 * ```ts
 * const options: MigrateRequiredOptions = { localMigration: localMigration({ hv, pagerOf, createPager }) };
 * ```
 */
export interface MigrateRequiredOptions {
  /** Moves an HVM domain to fresh frames on this host (none: the handler only declines). */
  readonly localMigration?: LocalMigrator;
}

/**
 * The migrate-required handler as a plugin; register it last. Given a {@link LocalMigrator}, it
 * offlines an HVM domain's frame by migrating the domain on the same host.
 *
 * @example
 * ```ts
 * const offline = createOfflineManager({ hypervisor, handlers: [pvExchange(), hvmRelocate(), migrateRequired()] });
 * ```
 */
export function migrateRequired(options: MigrateRequiredOptions = {}): HostPlugin {
  return {
    name: 'migrate-required',
    register(container) {
      container.provide(OFFLINE_HANDLERS, new MigrateRequiredHandler(options.localMigration));
    },
  };
}
