import { existsSync, rmSync } from 'node:fs';
import { RedisStore } from '@pagevisor/storage';
import { UsageError } from '../usage-error.js';
import { openChosenStore, type StoreChoice } from './store-choice.js';

/** What to do with a store a run finds already there: refuse (the default), page on top of it, or replace it. */
export type ExistingStore = 'refuse' | 'reuse' | 'overwrite';

/** The files of a store at `path`: SQLite keeps its write-ahead log and shared memory beside it. */
function storeFiles(choice: StoreChoice, path: string): string[] {
  return choice.kind === 'sqlite' ? [path, `${path}-wal`, `${path}-shm`] : [path];
}

/**
 * Makes sure a run does not silently destroy a store an earlier run left: a pagefile or database at
 * `--path`, or Redis keys under the prefix. It opens the store read-only to count its pages; a file
 * that is not a store is never overwritten (its format error is the answer).
 *
 * @throws {@link UsageError} naming the store and its page count when it holds pages and `existing` is `refuse`
 */
export async function claimStore(choice: StoreChoice, maxPages: number, existing: ExistingStore, command: string): Promise<void> {
  const onDisk = choice.kind === 'pagefile' || choice.kind === 'sqlite';
  if (choice.kind === 'memory' || (onDisk && (choice.path === undefined || !existsSync(choice.path)))) return;
  const store = await openChosenStore(choice, maxPages, command, 'read-only');
  const pages = store.stats().pages;
  await store.close();
  if (onDisk && existing === 'overwrite') {
    for (const file of storeFiles(choice, choice.path!)) rmSync(file, { force: true });
    return;
  }
  if (pages === 0 || existing === 'reuse') return;
  const where = onDisk ? `${choice.path}` : `redis prefix ${choice.prefix}`;
  if (existing === 'refuse') {
    throw new UsageError(`${where} already holds ${pages} pages of an earlier run: give --reuse to page on top of them or --overwrite to discard them`, command);
  }
  const redis = await openChosenStore(choice, maxPages, command, 'read-write');
  try {
    if (redis instanceof RedisStore) await redis.clear();
  } finally {
    await redis.close();
  }
}
