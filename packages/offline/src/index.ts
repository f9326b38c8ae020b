/**
 * Page offline handlers for Pagevisor's `OfflineManager` (seed 004): `pv-exchange` (libxc's
 * `xc_exchange_page` for a suspended PV guest, with its undo path and outcomes 0, −1, −2),
 * `hvm-relocate` (an HVM guest's page moved off the frame through paging), and `migrate-required`
 * (an HVM domain migrated to fresh frames on the same host when given a local migrator, else declined
 * with the remedy).
 *
 * @packageDocumentation
 */

// --- handlers ---
export { PvExchangeHandler, pvExchange } from './pv-exchange.js';
export { HvmRelocateHandler, hvmRelocate } from './hvm-relocate.js';
export { MigrateRequiredHandler, migrateRequired, type LocalMigrator, type MigrateRequiredOptions } from './migrate-required.js';
