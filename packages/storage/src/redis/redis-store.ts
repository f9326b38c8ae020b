import type { Cluster, Redis } from 'ioredis';
import { PAGE_STORE, STORE_PAGE_BYTES, StoreError, type PagevisorPlugin, recordLength, StoreBase, xenMemoryName } from '@pagevisor/core';
import { recordCrc } from '../internal/record-crc.js';
import type { InspectableStore, InspectedRecord, StoreCheck } from '../inspection.js';
import { importOptional } from '../internal/optional-module.js';

/** gfns per hash tag: a Redis Cluster spreads a domain's pages over its nodes in 4 MiB chunks. */
const CHUNK_SHIFT = 10;
const CRC_BYTES = 4;

/**
 * Options of a {@link RedisStore}.
 *
 * @example
 * ```ts
 * await RedisStore.open({ cluster: ['10.0.0.1:7000', '10.0.0.2:7000'], prefix: 'pagevisor:guest1', commandTimeoutMs: 2000 }, 1 << 20);
 * ```
 */
export interface RedisOptions {
  /** One server: `redis://[user:password@]host:port[/db]`. */
  readonly url?: string;
  /** A Redis Cluster: some of its nodes as `host:port`; the rest are discovered. */
  readonly cluster?: readonly string[];
  /**
   * Key prefix, used exactly as given by {@link RedisStore.open}, the {@link redisStore} plugin and
   * the `pagevisor` CLI. Without one, the keys go under {@link redisKeyPrefix}`(memoryName)`,
   * `pagevisor:dom<domid>` for a Xen domain (`pagevisor:dom1` for `RedisStore.open`). Give each pager its own.
   */
  readonly prefix?: string;
  /** Milliseconds before a command fails with `STORE_IO` (default 10000), so a dead server never hangs the pager. */
  readonly commandTimeoutMs?: number;
  /** Read only, for tools that inspect the store: writes and deletes reject with `STORE_READ_ONLY`. */
  readonly readOnly?: boolean;
}

/**
 * The one rule for the Redis key prefix when none is given: `pagevisor:<memoryName>`, so
 * `pagevisor:dom<domid>` for a Xen domain. The {@link redisStore} plugin, {@link RedisStore.open},
 * `pagevisor run` and `pagevisor store *` all use it (a prefix that is given is used exactly), so a
 * store one writes is found by the others.
 *
 * @param memoryName - the backend's name of the memory paged (`PluginContext.memoryName`)
 *
 * @example
 * ```ts
 * redisKeyPrefix(xenMemoryName(7)); // 'pagevisor:dom7': keys {pagevisor:dom7:<chunk>}:<gfn>
 * ```
 */
export function redisKeyPrefix(memoryName: string): string {
  return `pagevisor:${memoryName}`;
}

/** One parsed key of the store's prefix. */
interface KeyInfo {
  readonly gfn: number;
  readonly valid: boolean;
}

/**
 * A page store in Redis, or spread over a Redis Cluster (ioredis, an optional peer dependency): one
 * string key per gfn holding a CRC32C and the record, written and read in pipelined batches.
 *
 * @remarks
 * Keys are `{<prefix>:<chunk>}:<gfn>`, where the hash tag `chunk` is `gfn >> 10`: each 4 MiB chunk of
 * the guest lives on one cluster node, and a batch goes out as one pipeline per chunk it touches (one
 * pipeline in all on a single server). Records take only their length, so under
 * {@link compressedStore} Redis holds compressed pages.
 *
 * Durability: a write is acknowledged once the server has applied it (after `flush`), so it
 * survives a crash of the pager; whether it survives a crash of Redis itself is the server's
 * persistence setting (`appendonly yes` with `appendfsync always` for every write). Commands time
 * out rather than wait for a lost server.
 *
 * @example
 * ```ts
 * import { RedisStore } from '@pagevisor/storage';
 *
 * await using store = await RedisStore.open({ url: 'redis://127.0.0.1:6379', prefix: 'pagevisor:guest1' }, 1 << 20);
 * // or over a cluster: RedisStore.open({ cluster: ['10.0.0.1:7000', '10.0.0.2:7000'] }, 1 << 20)
 * ```
 */
export class RedisStore extends StoreBase implements InspectableStore {
  readonly name = 'redis';
  readonly durable = true;
  /** The key prefix. */
  readonly prefix: string;
  private client!: Redis | Cluster;
  /** Record length + 1 per gfn; 0 for a gfn not held. */
  private readonly lengthOf: Uint16Array;
  private recordBytes = 0;

  private constructor(private readonly options: RedisOptions, maxPages: number) {
    const prefix = options.prefix ?? redisKeyPrefix(xenMemoryName(1));
    super(`redis ${options.cluster ? `cluster ${options.cluster.join(',')}` : (options.url ?? 'redis://127.0.0.1:6379')} prefix ${prefix}`, maxPages);
    if (options.url && options.cluster) throw new StoreError('STORE_ARGUMENT', `${this.label}: give url or cluster, not both`);
    this.prefix = prefix;
    this.readOnly = options.readOnly === true;
    this.lengthOf = new Uint16Array(maxPages);
    this.startOpening(() => this.connect());
  }

  /**
   * Connects and counts the pages already stored under the prefix.
   *
   * @throws {@link @pagevisor/core!StoreError | StoreError} `STORE_IO` when no server answers; a
   * `ConfigError` when ioredis is not installed.
   */
  static async open(options: RedisOptions, maxPages: number): Promise<RedisStore> {
    return StoreBase.whenOpen(new RedisStore(options, maxPages));
  }

  /** Returns at once and connects in the background (see {@link PagefileStore.openLazily}). */
  static openLazily(options: RedisOptions, maxPages: number): RedisStore {
    return new RedisStore(options, maxPages);
  }

  /** The key of `gfn`'s record. */
  keyOf(gfn: number): string {
    return `{${this.prefix}:${gfn >>> CHUNK_SHIFT}}:${gfn}`;
  }

  protected async doWrite(gfns: Uint32Array, pages: Uint8Array, count: number, lengths: Uint16Array | undefined): Promise<void> {
    await this.pipelined(gfns, count, 'write', (pipeline, i) => {
      const gfn = gfns[i]!;
      const data = pages.subarray(i * STORE_PAGE_BYTES, i * STORE_PAGE_BYTES + recordLength(lengths, i));
      pipeline.set(this.keyOf(gfn), encodeValue(gfn, data));
    });
    for (let i = 0; i < count; i++) {
      const gfn = gfns[i]!;
      const length = recordLength(lengths, i);
      if (this.lengthOf[gfn] === 0) this.pages++;
      else this.recordBytes -= this.lengthOf[gfn]! - 1;
      this.lengthOf[gfn] = length + 1;
      this.recordBytes += length;
    }
  }

  protected async doRead(gfns: Uint32Array, count: number, into: Uint8Array, lengths: Uint16Array | undefined): Promise<void> {
    const values = await this.pipelined(gfns, count, 'read', (pipeline, i) => pipeline.getBuffer(this.keyOf(gfns[i]!)));
    for (let i = 0; i < count; i++) {
      const gfn = gfns[i]!;
      const value = values[i] as Buffer | null;
      if (!value) throw new StoreError('STORE_MISSING', `${this.label} holds no page for gfn 0x${gfn.toString(16)} (key ${this.keyOf(gfn)})`, { gfn });
      const data = checkedRecord(gfn, value);
      if (!data) throw new StoreError('STORE_CORRUPT', `${this.label}: page of gfn 0x${gfn.toString(16)} (key ${this.keyOf(gfn)}) fails its CRC32C`, { gfn });
      into.set(data, i * STORE_PAGE_BYTES);
      into.fill(0, i * STORE_PAGE_BYTES + data.length, (i + 1) * STORE_PAGE_BYTES);
      if (lengths) lengths[i] = data.length;
    }
  }

  protected async doDelete(gfns: Uint32Array, count: number): Promise<void> {
    await this.pipelined(gfns, count, 'delete', (pipeline, i) => (gfns[i]! < this.maxPages ? pipeline.unlink(this.keyOf(gfns[i]!)) : pipeline));
    for (let i = 0; i < count; i++) {
      const gfn = gfns[i]!;
      if (gfn >= this.maxPages || this.lengthOf[gfn] === 0) continue;
      this.recordBytes -= this.lengthOf[gfn]! - 1;
      this.lengthOf[gfn] = 0;
      this.pages--;
    }
  }

  /** Every earlier command has been answered by the server when the call before it resolved. */
  protected async doFlush(): Promise<void> {}

  protected async doClose(): Promise<void> {
    await this.client.quit().catch(() => this.client.disconnect());
  }

  protected bytesUsed(): number {
    return this.recordBytes + this.pages * CRC_BYTES;
  }

  /**
   * Every key under the prefix, checked against its CRC; a key that names no gfn of this store is
   * reported with `gfn: undefined` and is not current.
   */
  async *inspect(): AsyncGenerator<InspectedRecord> {
    await this.opening;
    for await (const keys of this.scanKeys()) {
      const values = await Promise.all(keys.map((key) => this.client.getBuffer(key)));
      for (const [i, key] of keys.entries()) {
        const value = values[i];
        if (!value) continue; // deleted meanwhile
        const { gfn, valid } = this.parseKey(key);
        const data = valid ? checkedRecord(gfn, value) : undefined;
        yield { location: key, gfn: valid ? gfn : undefined, ok: valid ? data !== undefined : true, current: valid, data: data ?? value };
      }
    }
  }

  /** Unlinks every key under the prefix that is not a served, intact record (see {@link InspectableStore.repair}). */
  repair(): Promise<StoreCheck> {
    return this.enqueueChange('repair', async () => {
      let corrupt = 0;
      const bad: string[] = [];
      for await (const record of this.inspect()) {
        if (record.ok && record.current) continue;
        if (!record.ok) corrupt++;
        bad.push(record.location);
        const gfn = record.gfn;
        if (gfn === undefined || !record.current || this.lengthOf[gfn] === 0) continue;
        this.recordBytes -= this.lengthOf[gfn]! - 1;
        this.lengthOf[gfn] = 0;
        this.pages--;
      }
      try {
        await Promise.all(bad.map((key) => this.client.unlink(key)));
      } catch (error) {
        throw new StoreError('STORE_IO', `${this.label}: repair failed: ${(error as Error).message}`, { cause: error });
      }
      return { ok: this.pages, corrupt, orphaned: bad.length - corrupt };
    });
  }

  /** Unlinks every key under the prefix, for a run told to overwrite what an earlier one left. */
  clear(): Promise<number> {
    return this.enqueueChange('clear', async () => {
      let removed = 0;
      try {
        for await (const keys of this.scanKeys()) removed += (await Promise.all(keys.map((key) => this.client.unlink(key)))).reduce((a, b) => a + b, 0);
      } catch (error) {
        throw new StoreError('STORE_IO', `${this.label}: clear failed: ${(error as Error).message}`, { cause: error });
      }
      this.lengthOf.fill(0);
      this.pages = 0;
      this.recordBytes = 0;
      return removed;
    });
  }

  private async connect(): Promise<void> {
    const ioredis = await importOptional<typeof import('ioredis')>('ioredis', 'redis', '6');
    const common = { lazyConnect: true, maxRetriesPerRequest: 2, commandTimeout: this.options.commandTimeoutMs ?? 10_000, connectTimeout: 5_000 };
    if (this.options.cluster) {
      const nodes = this.options.cluster.map((node) => {
        const [host, port] = node.split(':');
        return { host: host ?? '127.0.0.1', port: Number(port ?? 6379) };
      });
      this.client = new ioredis.Cluster(nodes, { lazyConnect: true, redisOptions: common, clusterRetryStrategy: (times) => (times > 3 ? null : 200) });
    } else {
      this.client = new ioredis.Redis(this.options.url ?? 'redis://127.0.0.1:6379', { ...common, retryStrategy: (times) => (times > 5 ? null : 200) });
    }
    this.client.on('error', () => undefined); // surfaced by the command that fails
    try {
      await this.client.connect();
      await this.countHeld();
    } catch (error) {
      this.client.disconnect();
      throw new StoreError('STORE_IO', `${this.label}: cannot connect: ${(error as Error).message}`, { cause: error });
    }
  }

  /** Rebuilds the held set and byte count from the keys under the prefix. */
  private async countHeld(): Promise<void> {
    for await (const keys of this.scanKeys()) {
      const owned = keys.map((key) => ({ key, ...this.parseKey(key) })).filter((info) => info.valid);
      const sizes = await Promise.all(owned.map((info) => this.client.strlen(info.key)));
      owned.forEach((info, i) => {
        const length = Math.max(0, sizes[i]! - CRC_BYTES);
        if (sizes[i] === 0) return;
        if (this.lengthOf[info.gfn] === 0) this.pages++;
        this.lengthOf[info.gfn] = Math.min(length, STORE_PAGE_BYTES) + 1;
        this.recordBytes += length;
      });
    }
  }

  /** Batches of the keys under the prefix, from every master of a cluster. */
  private async *scanKeys(): AsyncGenerator<string[]> {
    // `{prefix:<chunk digits>}:*`, so the keys of `pagevisor:dom1` are not taken for `pagevisor`'s.
    const match = `{${this.prefix.replace(/[*?[\]\\]/g, '\\$&')}:[0-9]*}:*`;
    const masters = 'nodes' in this.client && typeof this.client.nodes === 'function' ? (this.client as Cluster).nodes('master') : [this.client as Redis];
    for (const node of masters) {
      let cursor = '0';
      do {
        const [next, keys] = await node.scan(cursor, 'MATCH', match, 'COUNT', 1000);
        cursor = next;
        if (keys.length > 0) yield keys;
      } while (cursor !== '0');
    }
  }

  private parseKey(key: string): KeyInfo {
    const head = `{${this.prefix}:`;
    const close = key.lastIndexOf('}:');
    const gfn = Number(key.slice(close + 2));
    const chunk = Number(key.slice(head.length, close));
    const valid = key.startsWith(head) && close > 0 && Number.isInteger(gfn) && gfn >= 0 && gfn < this.maxPages && chunk === gfn >>> CHUNK_SHIFT;
    return { gfn, valid };
  }

  /**
   * Sends `count` commands, one per batch entry, as one pipeline per hash-tag chunk (all on one node),
   * and returns their results in batch order.
   */
  private async pipelined(gfns: Uint32Array, count: number, what: string, add: (pipeline: ReturnType<Redis['pipeline']>, i: number) => unknown): Promise<unknown[]> {
    const groups = new Map<number, number[]>();
    for (let i = 0; i < count; i++) {
      const chunk = this.isCluster() ? gfns[i]! >>> CHUNK_SHIFT : 0;
      let group = groups.get(chunk);
      if (!group) groups.set(chunk, (group = []));
      group.push(i);
    }
    const results = new Array<unknown>(count);
    try {
      await Promise.all(
        [...groups.values()].map(async (indexes) => {
          const pipeline = this.client.pipeline();
          for (const i of indexes) add(pipeline, i);
          const answers = (await pipeline.exec()) ?? [];
          answers.forEach(([error, value], k) => {
            if (error) throw error;
            results[indexes[k]!] = value;
          });
        }),
      );
    } catch (error) {
      throw new StoreError('STORE_IO', `${this.label}: ${what} failed: ${(error as Error).message}`, { cause: error });
    }
    return results;
  }

  private isCluster(): boolean {
    return this.options.cluster !== undefined;
  }
}

/** A record as stored: CRC32C (over the gfn and the record) then the record. */
function encodeValue(gfn: number, data: Uint8Array): Buffer {
  const value = Buffer.allocUnsafe(CRC_BYTES + data.length);
  value.writeUInt32LE(recordCrc(gfn, data), 0);
  value.set(data, CRC_BYTES);
  return value;
}

/** The record inside `value` if its CRC checks out. */
function checkedRecord(gfn: number, value: Buffer): Uint8Array | undefined {
  if (value.length < CRC_BYTES || value.length > CRC_BYTES + STORE_PAGE_BYTES) return undefined;
  const data = value.subarray(CRC_BYTES);
  return recordCrc(gfn, data) === value.readUInt32LE(0) ? data : undefined;
}


/**
 * The Redis store as a plugin; keys go under `options.prefix`, or {@link redisKeyPrefix}`(domid)`
 * when it is not given.
 *
 * @example
 * ```ts
 * const pager = createPager({ hypervisor, domid, policy: xenpaging(), store: redisStore({ url: 'redis://127.0.0.1:6379' }) });
 * ```
 */
export function redisStore(options: RedisOptions = {}): PagevisorPlugin {
  return {
    name: 'redis',
    register(container, context) {
      const prefix = options.prefix ?? redisKeyPrefix(context.memoryName);
      container.provide(PAGE_STORE, RedisStore.openLazily({ ...options, prefix }, context.maxPages));
    },
  };
}
