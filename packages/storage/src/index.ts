/**
 * Page stores for the Pagevisor pager, as plugins. This release has the memory store; the crash-safe
 * pagefile, SQLite and Redis stores follow.
 *
 * @packageDocumentation
 */

// --- stores ---
export { MemoryPageStore, memoryStore } from './memory-store.js';
