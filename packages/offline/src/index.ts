/**
 * Page offline handlers for Pagevisor's `OfflineManager` (seed 004): `pv-exchange` (libxc's
 * `xc_exchange_page` for a suspended PV guest, with its undo path and outcomes 0, −1, −2),
 * `hvm-relocate` (an HVM guest's page moved off the frame through paging), and `migrate-required`
 * (declines with the remedy when nothing else can).
 *
 * @packageDocumentation
 */

// --- handlers ---
export { PvExchangeHandler, pvExchange } from './pv-exchange.js';
export { HvmRelocateHandler, hvmRelocate } from './hvm-relocate.js';
export { MigrateRequiredHandler, migrateRequired } from './migrate-required.js';
