/**
 * Page stores for the Pagevisor pager, as plugins: in memory, and a crash-safe pagefile with a CRC32C
 * per page. SQLite and Redis stores follow.
 *
 * @packageDocumentation
 */

// --- stores ---
export { MemoryPageStore, memoryStore } from './memory-store.js';
export { RedisStore, redisKeyPrefix, redisStore, type RedisOptions } from './redis/redis-store.js';
export { SqliteStore, sqliteStore, type SqliteOptions, type SqliteSync } from './sqlite/sqlite-store.js';
export { PagefileStore, pagefileStore, type FsyncPolicy, type PagefileOptions, type PagefileRecovery } from './pagefile/pagefile-store.js';

// --- inspection ---
export { checkRecords, type InspectableStore, type InspectedRecord, type StoreCheck } from './inspection.js';

// --- compression ---
export { CompressedStore, compressedStore, MAX_SHORT_RECORD, type CompressionCodec, type CompressionOptions, type CompressionStats } from './compression/compressed-store.js';

// --- checksums ---
export { crc32c } from './crc32c.js';
