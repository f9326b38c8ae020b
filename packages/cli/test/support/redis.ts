import { inject } from 'vitest';
import type {} from '../../../../vitest.redis-setup.js'; // brings the type of inject('redis')

/** The Redis server the global setup started, and the title suffix of tests that need it. */
export function providedRedis(): { url: string | undefined; skip: boolean; note: string } {
  const redis = inject('redis');
  return { url: redis.url, skip: redis.url === undefined, note: redis.missing ? ` (skipped: ${redis.missing})` : '' };
}
