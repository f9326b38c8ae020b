import { OFFLINE_HANDLERS, type OfflineHandler, type OfflineRequest, type OfflineResult, type HostPlugin } from '@pagevisor/core';

/**
 * `migrate-required`: the last handler, for frames nothing else can move. It changes nothing and
 * declines with the reason and the remedy Xen gave (d06a984487: "user have to live migrate it"); the
 * frame stays `offline-pending` and goes offline when its owner frees it.
 *
 * @example
 * ```ts
 * await new MigrateRequiredHandler().handle(request); // { result: 'declined', reason: '… live-migrate the domain …' }
 * ```
 */
export class MigrateRequiredHandler implements OfflineHandler {
  readonly name = 'migrate-required';

  canHandle(): boolean {
    return true;
  }

  async handle({ hypervisor, domid, mfn }: OfflineRequest): Promise<OfflineResult> {
    const info = hypervisor.domainInfo(domid);
    const why = info.hvm ? 'an HVM domain without paging enabled' : 'a PV domain that is not suspended or cannot exchange this page';
    return { result: 'declined', reason: `mfn 0x${mfn.toString(16)} belongs to domain ${domid}, ${why}: live-migrate the domain to free the frame` };
  }
}

/**
 * The migrate-required handler as a plugin; register it last.
 *
 * @example
 * ```ts
 * const offline = createOfflineManager({ hypervisor, handlers: [pvExchange(), hvmRelocate(), migrateRequired()] });
 * ```
 */
export function migrateRequired(): HostPlugin {
  return {
    name: 'migrate-required',
    register(container) {
      container.provide(OFFLINE_HANDLERS, new MigrateRequiredHandler());
    },
  };
}
