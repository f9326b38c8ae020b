import type { AbiRegistry } from '../abi/abi-registry.js';
import type { PagingBackend } from '../backend/paging-backend.js';
import type { HypervisorPort } from '../hypervisor/hypervisor-port.js';
import type { VictimPolicy } from '../policy/victim-policy.js';
import type { PageStore } from '../store/page-store.js';
import type { ResolvedPagerConfig } from '../pager/pager-config.js';
import type { Clock } from '../pager/clock.js';
import type { OfflineHandler } from '../offline/offline-handler.js';
import { token } from './token.js';

/**
 * The hypervisor the pager drives.
 *
 * @example
 * ```ts
 * const hypervisor = container.resolve<HypervisorPort>(HYPERVISOR);
 * ```
 */
export const HYPERVISOR = token<HypervisorPort>('hypervisor');
/**
 * The paging ABIs and adapters the pager knows (by default {@link createDefaultAbiRegistry}'s). A plugin
 * that brings a new ABI or adapter registers it here.
 *
 * @example
 * ```ts
 * container.resolve(ABI_REGISTRY).register(v8).registerAdapter(createVmEventVersionAdapter(VM_EVENT_V7, v8));
 * ```
 */
export const ABI_REGISTRY = token<AbiRegistry>('abi-registry');
/**
 * The page store paged-out pages go to.
 *
 * @example
 * ```ts
 * container.provide(PAGE_STORE, new MemoryPageStore(context.maxPages));
 * ```
 */
export const PAGE_STORE = token<PageStore>('page-store');
/**
 * The memory the pager pages: a {@link PagingBackend} (for Xen, a {@link XenPagingBackend} that
 * `createPager` builds from its `hypervisor`).
 *
 * @example
 * ```ts
 * const backend = container.resolve(PAGING_BACKEND);
 * ```
 */
export const PAGING_BACKEND = token<PagingBackend>('paging-backend');
/**
 * The victim policy.
 *
 * @example
 * ```ts
 * container.provide(VICTIM_POLICY, createPolicy('arc', context));
 * ```
 */
export const VICTIM_POLICY = token<VictimPolicy>('victim-policy');
/**
 * The pager's settings, defaults applied.
 *
 * @example
 * ```ts
 * const config = container.resolve<ResolvedPagerConfig>(PAGER_CONFIG);
 * ```
 */
export const PAGER_CONFIG = token<ResolvedPagerConfig>('pager-config');
/**
 * Where time comes from (rates in `stats$`).
 *
 * @example
 * ```ts
 * container.provide(CLOCK, { now: () => virtualNs });
 * ```
 */
export const CLOCK = token<Clock>('clock');
/**
 * Offline handlers (many: `injectAll`), asked in registration order.
 *
 * @example
 * ```ts
 * container.provide(OFFLINE_HANDLERS, new MigrateRequiredHandler());
 * ```
 */
export const OFFLINE_HANDLERS = token<OfflineHandler>('offline-handlers');
