import type { HypervisorPort } from '../hypervisor/hypervisor-port.js';
import type { VictimPolicy } from '../policy/victim-policy.js';
import type { PageStore } from '../store/page-store.js';
import type { ResolvedPagerConfig } from '../pager/pager-config.js';
import type { Clock } from '../pager/clock.js';
import type { OfflineHandler } from '../offline/offline-handler.js';
import { token } from './token.js';

/** The hypervisor the pager drives. */
export const HYPERVISOR = token<HypervisorPort>('hypervisor');
/** The page store paged-out pages go to. */
export const PAGE_STORE = token<PageStore>('page-store');
/** The victim policy. */
export const VICTIM_POLICY = token<VictimPolicy>('victim-policy');
/** The pager's settings, defaults applied. */
export const PAGER_CONFIG = token<ResolvedPagerConfig>('pager-config');
/** Where time comes from (rates in `stats$`). */
export const CLOCK = token<Clock>('clock');
/** Offline handlers (many: `injectAll`), asked in registration order. */
export const OFFLINE_HANDLERS = token<OfflineHandler>('offline-handlers');
