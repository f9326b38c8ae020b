import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';
import { PAGE_STORE, STORE_PAGE_BYTES, StoreError, type PagevisorPlugin, recordLength, StoreBase } from '@pagevisor/core';
import { recordCrc } from '../internal/record-crc.js';
import type { InspectableStore, InspectedRecord, StoreCheck } from '../inspection.js';
import { importOptional } from '../internal/optional-module.js';

/** The schema version this store writes and reads. */
const SQLITE_FORMAT = 1;

/**
 * When the SQLite store makes commits durable.
 *
 * @example
 * ```ts
 * const sync: SqliteSync = 'batch';
 * await SqliteStore.open({ path, sync }, 1 << 20);
 * ```
 */
export type SqliteSync = 'batch' | 'always' | 'none';

/**
 * Options of a {@link SqliteStore}.
 *
 * @example
 * ```ts
 * await SqliteStore.open({ path: './guest1.sqlite', sync: 'always' }, 1 << 20);
 * ```
 */
export interface SqliteOptions {
  /** The database file; its directory must exist (a store creates no directories). */
  readonly path: string;
  /**
   * `none` (default): commits are never synced (`synchronous = OFF`); SQLite still writes each one to
   * its write-ahead log, so an acknowledged page survives the pager being killed, not a host crash.
   * `batch`: {@link SqliteStore.flush} makes every commit so far survive a host crash too, with one
   * synced commit of the log; `always`: every batch's commit is synced.
   */
  readonly sync?: SqliteSync;
  /**
   * Open an existing database with SQLite's `readonly` flag, for tools that inspect it: no table is
   * created, no row changed; writes and deletes reject with `STORE_READ_ONLY`.
   */
  readonly readOnly?: boolean;
}


/**
 * A page store in a SQLite database (better-sqlite3 12.x, an optional peer dependency): one row per
 * gfn with the record as a blob and its CRC32C, WAL journaling, prepared statements, one transaction
 * per batch.
 *
 * @remarks
 * A record takes only its length, so under {@link compressedStore} the database holds compressed
 * pages. Every read checks the CRC (`STORE_CORRUPT` naming the gfn); damage inside SQLite's own
 * structures is reported as SQLite finds it, also as `STORE_CORRUPT`. A file that is not a SQLite
 * database, or a database of another schema version, is `STORE_FORMAT`.
 *
 * @example
 * ```ts
 * import { SqliteStore } from '@pagevisor/storage';
 *
 * await using store = await SqliteStore.open({ path: './guest1.sqlite' }, 1 << 20);
 * await store.writeBatch(Uint32Array.of(7), page, 1);
 * await store.flush(); // durable
 * ```
 */
export class SqliteStore extends StoreBase implements InspectableStore {
  readonly name = 'sqlite';
  /** Acknowledged pages survive a crash of the process under every `sync` (see {@link SqliteOptions.sync}). */
  readonly durable = true;
  /** The database file. */
  readonly path: string;
  private readonly sync: SqliteSync;
  private db!: BetterSqlite3.Database;
  private held: Uint8Array;
  private put!: BetterSqlite3.Statement<[number, number, Uint8Array]>;
  private get!: BetterSqlite3.Statement<[number], [number, Uint8Array]>;
  private remove!: BetterSqlite3.Statement<[number]>;
  private writeRows!: (gfns: Uint32Array, pages: Uint8Array, count: number, lengths: Uint16Array | undefined) => void;
  private deleteRows!: (gfns: Uint32Array, count: number) => void;
  private markFlush!: () => void;

  private constructor(options: SqliteOptions, maxPages: number) {
    super(`sqlite ${options.path}`, maxPages);
    this.path = options.path;
    this.sync = options.sync ?? 'none';
    this.readOnly = options.readOnly === true;
    this.held = new Uint8Array(maxPages);
    this.startOpening(() => this.load());
  }

  /**
   * Opens (or creates) the database and counts the pages it holds.
   *
   * @throws {@link @pagevisor/core!StoreError | StoreError} `STORE_FORMAT` for a file that is not a
   * SQLite database of this schema, `STORE_IO` when it cannot be opened; a `ConfigError` when
   * better-sqlite3 is not installed.
   */
  static async open(options: SqliteOptions, maxPages: number): Promise<SqliteStore> {
    return StoreBase.whenOpen(new SqliteStore(options, maxPages));
  }

  /** Returns at once and opens in the background (see {@link PagefileStore.openLazily}). */
  static openLazily(options: SqliteOptions, maxPages: number): SqliteStore {
    return new SqliteStore(options, maxPages);
  }

  protected async doWrite(gfns: Uint32Array, pages: Uint8Array, count: number, lengths: Uint16Array | undefined): Promise<void> {
    this.run('write', () => this.writeRows(gfns, pages, count, lengths));
    for (let i = 0; i < count; i++) {
      const gfn = gfns[i]!;
      if (this.held[gfn] === 1) continue;
      this.held[gfn] = 1;
      this.pages++;
    }
  }

  protected async doRead(gfns: Uint32Array, count: number, into: Uint8Array, lengths: Uint16Array | undefined): Promise<void> {
    for (let i = 0; i < count; i++) {
      const gfn = gfns[i]!;
      const row = this.run('read', () => this.get.get(gfn), gfn);
      if (!row) throw new StoreError('STORE_MISSING', `${this.label} holds no page for gfn 0x${gfn.toString(16)}`, { gfn });
      const [crc, data] = row;
      if (data.length > STORE_PAGE_BYTES || recordCrc(gfn, data) !== crc) {
        throw new StoreError('STORE_CORRUPT', `${this.label}: page of gfn 0x${gfn.toString(16)} fails its CRC32C`, { gfn });
      }
      into.set(data, i * STORE_PAGE_BYTES);
      into.fill(0, i * STORE_PAGE_BYTES + data.length, (i + 1) * STORE_PAGE_BYTES);
      if (lengths) lengths[i] = data.length;
    }
  }

  protected async doDelete(gfns: Uint32Array, count: number): Promise<void> {
    this.run('delete', () => this.deleteRows(gfns, count));
    for (let i = 0; i < count; i++) {
      const gfn = gfns[i]!;
      if (gfn >= this.maxPages || this.held[gfn] === 0) continue;
      this.held[gfn] = 0;
      this.pages--;
    }
  }

  protected async doFlush(): Promise<void> {
    if (this.sync === 'batch') this.run('flush', () => this.markFlush());
  }

  protected async doClose(): Promise<void> {
    this.db.close();
  }

  protected bytesUsed(): number {
    if (!this.db?.open) return 0;
    const pages = this.db.pragma('page_count', { simple: true }) as number;
    const size = this.db.pragma('page_size', { simple: true }) as number;
    return pages * size;
  }

  /** Every row, checked against its CRC; rows of a gfn beyond the store's range are not current. */
  async *inspect(): AsyncGenerator<InspectedRecord> {
    await this.opening;
    const all = this.db.prepare('SELECT gfn, crc, data FROM pagevisor_pages ORDER BY gfn').raw(true) as BetterSqlite3.Statement<[], [number, number, Uint8Array]>;
    try {
      for (const [gfn, crc, data] of all.iterate()) {
        yield { gfn, ok: data.length <= STORE_PAGE_BYTES && recordCrc(gfn, data) === crc, current: gfn >= 0 && gfn < this.maxPages, location: `row ${gfn}`, data };
      }
    } catch (error) {
      throw this.storeError(error, 'inspect');
    }
  }

  /** Deletes every row whose CRC fails or whose gfn is beyond the store's range (see {@link InspectableStore.repair}). */
  repair(): Promise<StoreCheck> {
    return this.enqueueChange('repair', async () => {
      const bad: number[] = [];
      let corrupt = 0;
      for await (const record of this.inspect()) {
        if (record.ok && record.current) continue;
        if (!record.ok) corrupt++;
        bad.push(record.gfn!); // a row always names its gfn
      }
      this.run('repair', () => this.db.transaction(() => bad.forEach((gfn) => this.remove.run(gfn)))());
      for (const gfn of bad) {
        if (gfn < 0 || gfn >= this.maxPages || this.held[gfn] === 0) continue;
        this.held[gfn] = 0;
        this.pages--;
      }
      await this.doFlush();
      return { ok: this.pages, corrupt, orphaned: bad.length - corrupt };
    });
  }

  private async load(): Promise<void> {
    const { default: Database } = await importOptional<{ default: typeof BetterSqlite3 }>('better-sqlite3', 'sqlite', '12');
    try {
      this.db = new Database(this.path, { readonly: this.readOnly, fileMustExist: this.readOnly });
    } catch (error) {
      const reason = existsSync(dirname(this.path)) ? (error as Error).message : `directory ${dirname(this.path)} does not exist`;
      throw new StoreError('STORE_IO', `${this.label}: cannot open: ${reason}`, { cause: error });
    }
    try {
      this.prepare();
    } catch (error) {
      this.db.close();
      throw error instanceof StoreError ? error : this.storeError(error, 'open');
    }
  }

  private prepare(): void {
    const db = this.db;
    if (this.readOnly) {
      const tables = db.prepare("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN ('pagevisor_meta', 'pagevisor_pages')").pluck().get() as number;
      if (tables !== 2) throw new StoreError('STORE_FORMAT', `${this.label} is not a Pagevisor page database (no pagevisor_meta and pagevisor_pages tables)`);
    } else {
      db.pragma('journal_mode = WAL');
      db.pragma(`synchronous = ${this.sync === 'always' ? 'FULL' : this.sync === 'batch' ? 'NORMAL' : 'OFF'}`);
      db.exec(`CREATE TABLE IF NOT EXISTS pagevisor_meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
               CREATE TABLE IF NOT EXISTS pagevisor_pages (gfn INTEGER PRIMARY KEY, crc INTEGER NOT NULL, data BLOB NOT NULL);`);
      db.prepare('INSERT OR IGNORE INTO pagevisor_meta VALUES (?, ?)').run('format', SQLITE_FORMAT);
      db.prepare('INSERT OR IGNORE INTO pagevisor_meta VALUES (?, ?)').run('pageBytes', STORE_PAGE_BYTES);
    }
    const meta = new Map(db.prepare('SELECT key, value FROM pagevisor_meta').raw(true).all() as Array<[string, number]>);
    if (meta.get('format') !== SQLITE_FORMAT || meta.get('pageBytes') !== STORE_PAGE_BYTES) {
      throw new StoreError('STORE_FORMAT', `${this.label}: schema ${meta.get('format')}, page size ${meta.get('pageBytes')}; this store reads schema ${SQLITE_FORMAT}, ${STORE_PAGE_BYTES}`);
    }
    for (const [gfn] of db.prepare('SELECT gfn FROM pagevisor_pages').raw(true).iterate() as Iterable<[number]>) {
      if (gfn >= 0 && gfn < this.maxPages) {
        this.held[gfn] = 1;
        this.pages++;
      }
    }
    this.get = db.prepare('SELECT crc, data FROM pagevisor_pages WHERE gfn = ?').raw(true) as BetterSqlite3.Statement<[number], [number, Uint8Array]>;
    if (this.readOnly) return;
    this.put = db.prepare('INSERT OR REPLACE INTO pagevisor_pages (gfn, crc, data) VALUES (?, ?, ?)');
    this.remove = db.prepare('DELETE FROM pagevisor_pages WHERE gfn = ?');
    const bumpFlushes = db.prepare("INSERT INTO pagevisor_meta VALUES ('flushes', 1) ON CONFLICT(key) DO UPDATE SET value = value + 1");
    this.writeRows = db.transaction((gfns: Uint32Array, pages: Uint8Array, count: number, lengths: Uint16Array | undefined) => {
      for (let i = 0; i < count; i++) {
        const gfn = gfns[i]!;
        const data = pages.subarray(i * STORE_PAGE_BYTES, i * STORE_PAGE_BYTES + recordLength(lengths, i));
        this.put.run(gfn, recordCrc(gfn, data), data);
      }
    });
    this.deleteRows = db.transaction((gfns: Uint32Array, count: number) => {
      for (let i = 0; i < count; i++) if (gfns[i]! < this.maxPages && this.held[gfns[i]!] === 1) this.remove.run(gfns[i]!);
    });
    // A commit with synchronous=FULL syncs the write-ahead log, and with it every commit before it.
    this.markFlush = () => {
      db.pragma('synchronous = FULL');
      try {
        bumpFlushes.run();
      } finally {
        db.pragma('synchronous = NORMAL');
      }
    };
  }

  /** Runs a synchronous database call, turning SQLite's errors into store errors. */
  private run<T>(what: string, call: () => T, gfn?: number): T {
    try {
      return call();
    } catch (error) {
      throw this.storeError(error, what, gfn);
    }
  }

  private storeError(error: unknown, what: string, gfn?: number): StoreError {
    const code = (error as { code?: string }).code ?? '';
    const message = `${this.label}: ${what} failed: ${(error as Error).message}`;
    if (code.startsWith('SQLITE_CORRUPT')) return new StoreError('STORE_CORRUPT', message, { cause: error, gfn });
    if (code === 'SQLITE_NOTADB') return new StoreError('STORE_FORMAT', `${this.label} is not a SQLite database`, { cause: error });
    return new StoreError('STORE_IO', message, { cause: error, gfn });
  }
}

/**
 * The SQLite store as a plugin.
 *
 * @example
 * ```ts
 * const pager = createPager({ hypervisor, domid, policy: xenpaging(), store: sqliteStore({ path: './guest.sqlite' }) });
 * ```
 */
export function sqliteStore(options: SqliteOptions): PagevisorPlugin {
  return {
    name: 'sqlite',
    register(container, context) {
      container.provide(PAGE_STORE, SqliteStore.openLazily(options, context.maxPages));
    },
  };
}
