/**
 * Page offline handlers for Pagevisor's `OfflineManager` (seed 004): `hvm-relocate` moves an HVM guest's
 * page off a failing frame through paging; `migrate-required` declines with the remedy when nothing
 * can. The PV exchange (`xc_exchange_page`) handler is being built.
 *
 * @packageDocumentation
 */

// --- handlers ---
export { HvmRelocateHandler, hvmRelocate } from './hvm-relocate.js';
export { MigrateRequiredHandler, migrateRequired } from './migrate-required.js';
