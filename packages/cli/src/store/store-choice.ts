import { existsSync } from 'node:fs';
import { xenMemoryName, type PageStore, type PagevisorPlugin } from '@pagevisor/core';
import {
  compressedStore,
  memoryStore,
  pagefileStore,
  PagefileStore,
  redisKeyPrefix,
  redisStore,
  RedisStore,
  sqliteStore,
  SqliteStore,
  type CompressionCodec,
  type FsyncPolicy,
  type InspectableStore,
  type RedisOptions,
} from '@pagevisor/storage';
import type { CommandArgs } from '../command.js';
import { userPath } from '../paths.js';
import { UsageError } from '../usage-error.js';

/** The store kinds the CLI knows, as `--store` names them. */
export const STORE_KINDS = ['memory', 'pagefile', 'sqlite', 'redis'] as const;
/** One of {@link STORE_KINDS}. */
export type StoreKind = (typeof STORE_KINDS)[number];

/** A store as the flags chose it. */
export interface StoreChoice {
  readonly kind: StoreKind;
  /** The pagefile or database (`file`, `sqlite`). */
  readonly path: string | undefined;
  /** One Redis server (`redis`). */
  readonly url: string | undefined;
  /** Redis Cluster nodes (`redis` with `--url redis+cluster://h1:p1,h2:p2`). */
  readonly cluster: readonly string[] | undefined;
  /** Redis key prefix, exactly as the store uses it. */
  readonly prefix: string;
  /** When a pagefile or database syncs (`--fsync`, default `none`). */
  readonly fsync: FsyncPolicy;
}

/** `--fsync`, for the commands that write a store. */
export const FSYNC_FLAG = { fsync: { type: 'string' } } as const;

/** Help line of {@link FSYNC_FLAG}. */
export const FSYNC_FLAG_HELP = `  --fsync F         when a file or sqlite store syncs to disk: none (default:
                    pages survive the pager being killed, not a host crash) |
                    batch (every flush: they survive a host crash) | always`;

const FSYNC_POLICIES: readonly FsyncPolicy[] = ['none', 'batch', 'always'];

/** The domain `pagevisor run`'s simulated guest gets, and whose Redis keys `store *` look at by default. */
export const RUN_DOMID = 1;

/** The Redis key prefix of `pagevisor run` and, by default, of `pagevisor store dump | verify | repair`. */
export const RUN_REDIS_PREFIX = redisKeyPrefix(xenMemoryName(RUN_DOMID));

/** Whether a store is opened to look at it (nothing is written) or to change it. */
export type StoreAccess = 'read-only' | 'read-write';

/** The flags every store-using command takes (`parseArgs` form). */
export const STORE_FLAGS = {
  store: { type: 'string' },
  path: { type: 'string' },
  url: { type: 'string' },
  prefix: { type: 'string' },
} as const;

/** Help lines of {@link STORE_FLAGS}. */
export const STORE_FLAGS_HELP = `  --store NAME      ${STORE_KINDS.join(' | ')}
  --path P          the pagefile (file) or database file (sqlite)
  --url U           redis://host:port, or redis+cluster://host:port,host:port for a Redis Cluster
  --prefix X        Redis key prefix, used exactly (default ${RUN_REDIS_PREFIX}, the
                    prefix of pagevisor run's guest)`;

/**
 * Reads `--store`, `--path`, `--url` and `--prefix`, refusing combinations that do not go together.
 *
 * @param fallback - the store when `--store` is absent (`undefined`: the flag is required)
 */
export function storeChoice(values: CommandArgs['values'], command: string, fallback: StoreKind | undefined, defaultPrefix: string): StoreChoice {
  const kind = typeof values['store'] === 'string' ? values['store'] : fallback;
  if (kind === undefined) throw new UsageError(`--store is required (${STORE_KINDS.join(', ')})`, command);
  if (!(STORE_KINDS as readonly string[]).includes(kind)) throw new UsageError(`--store: no store "${kind}" (stores: ${STORE_KINDS.join(', ')})`, command);
  const path = typeof values['path'] === 'string' ? userPath(values['path']) : undefined;
  const url = typeof values['url'] === 'string' ? values['url'] : undefined;
  const prefix = typeof values['prefix'] === 'string' ? values['prefix'] : defaultPrefix;
  const fsync = (values['fsync'] ?? 'none') as FsyncPolicy;
  if (!FSYNC_POLICIES.includes(fsync)) throw new UsageError(`--fsync ${JSON.stringify(fsync)}: expected ${FSYNC_POLICIES.join(', ')}`, command);
  if (values['fsync'] !== undefined && kind !== 'pagefile' && kind !== 'sqlite') throw new UsageError(`--fsync goes with --store pagefile or sqlite, not ${kind}`, command);
  if (path !== undefined && kind !== 'pagefile' && kind !== 'sqlite') throw new UsageError(`--path goes with --store pagefile or sqlite, not ${kind}`, command);
  if ((url !== undefined || values['prefix'] !== undefined) && kind !== 'redis') throw new UsageError(`--url and --prefix go with --store redis, not ${kind}`, command);
  let cluster: string[] | undefined;
  let server: string | undefined;
  if (url !== undefined) {
    const match = /^redis\+cluster:\/\/(.+)$/.exec(url);
    if (match) {
      cluster = match[1]!.split(',');
      if (!cluster.every((node) => /^[\w.-]+:\d+$/.test(node))) throw new UsageError(`--url ${JSON.stringify(url)}: cluster nodes must be host:port,host:port`, command);
    } else if (/^rediss?:\/\//.test(url)) server = url;
    else throw new UsageError(`--url ${JSON.stringify(url)}: expected redis://host:port or redis+cluster://host:port,host:port`, command);
  }
  return { kind: kind as StoreKind, path, url: server, cluster, prefix, fsync };
}

/**
 * Opens the chosen store for gfns `[0, maxPages)`; the path must be given for pagefile and sqlite.
 * `read-only` opens it so that nothing is written: the tools that inspect a store never change it.
 */
export async function openChosenStore(choice: StoreChoice, maxPages: number, command: string, access: StoreAccess): Promise<PageStore & InspectableStore> {
  const readOnly = access === 'read-only';
  switch (choice.kind) {
    case 'pagefile':
      return PagefileStore.open({ path: requirePath(choice, command), fsync: choice.fsync, readOnly }, maxPages);
    case 'sqlite':
      return SqliteStore.open({ path: requirePath(choice, command), sync: choice.fsync, readOnly }, maxPages);
    case 'redis':
      return RedisStore.open({ ...redisOptions(choice), readOnly }, maxPages);
    case 'memory':
      throw new UsageError('--store memory keeps nothing to open or check; use pagefile, sqlite or redis', command);
  }
}

/** The chosen store as a pager plugin, compressed with `codec` if given. */
export function chosenStorePlugin(choice: StoreChoice, codec: CompressionCodec | undefined): PagevisorPlugin {
  const plugin = storePlugin(choice);
  return codec === undefined ? plugin : compressedStore(plugin, { codec });
}

function storePlugin(choice: StoreChoice): PagevisorPlugin {
  switch (choice.kind) {
    case 'memory':
      return memoryStore();
    case 'pagefile':
      return pagefileStore(choice.path === undefined ? { fsync: choice.fsync } : { path: choice.path, fsync: choice.fsync });
    case 'sqlite':
      return sqliteStore({ path: choice.path!, sync: choice.fsync });
    case 'redis':
      return redisStore(redisOptions(choice));
  }
}

/** The Redis store's options: a cluster's nodes or one server's URL, and the prefix. */
function redisOptions(choice: StoreChoice): RedisOptions {
  return choice.cluster ? { cluster: choice.cluster, prefix: choice.prefix } : { url: choice.url, prefix: choice.prefix };
}

function requirePath(choice: StoreChoice, command: string): string {
  if (choice.path === undefined) throw new UsageError(`--store ${choice.kind} needs --path`, command);
  return choice.path;
}

/** The choice, if its file exists: checking a store must not create one. */
export function existingPath(choice: StoreChoice, command: string): StoreChoice {
  if (choice.path !== undefined && !existsSync(choice.path)) throw new UsageError(`--path ${choice.path}: no such file`, command);
  return choice;
}
