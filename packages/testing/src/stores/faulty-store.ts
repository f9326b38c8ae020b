import { PAGE_STORE, StoreError, type PageStore, type PageStoreStats, type PagevisorPlugin, type PluginContainer, type Token } from '@pagevisor/core';

/**
 * The calls of a {@link PageStore} a {@link FaultyStore} can fail or slow down.
 *
 * @example
 * ```ts
 * const calls: StoreCall[] = ['write', 'read', 'delete', 'flush'];
 * ```
 */
export type StoreCall = 'write' | 'read' | 'delete' | 'flush';

/**
 * One injected fault.
 *
 * @example
 * ```ts
 * store.inject('write', { times: 2 }); // the next two writes fail with STORE_IO
 * store.inject('read', { delayMs: 20, fails: false }); // every read takes 20 ms longer, then succeeds
 * ```
 */
export interface StoreFault {
  /** How many calls it applies to (default: every call until {@link FaultyStore.heal}). */
  readonly times?: number;
  /** Whether the call fails (default true); `false` with `delayMs` makes a slow but working store. */
  readonly fails?: boolean;
  /** Milliseconds each call waits before it fails or goes through (default 0). */
  readonly delayMs?: number;
  /** The error a failing call rejects with (default a `StoreError` `STORE_IO` saying it was injected). */
  readonly error?: (call: StoreCall) => unknown;
}

interface ActiveFault {
  left: number;
  readonly fails: boolean;
  readonly delayMs: number;
  readonly error: ((call: StoreCall) => unknown) | undefined;
}

/**
 * A store that passes every call to another one, except the calls told to fail or to wait: for tests
 * of how a pager, or anything built on stores, copes with a disk that fails or is slow. A failing call
 * never reaches the inner store, so it changes nothing there, as the contract requires of a refused
 * call. Calls keep their order (each runs after the previous one has settled), delayed or not.
 *
 * @example
 * ```ts
 * const store = new FaultyStore(new MemoryPageStore(1024));
 * store.inject('write', { times: 1 });
 * await store.writeBatch(gfns, pages, 1).catch((e) => console.log(e.code)); // STORE_IO
 * await store.writeBatch(gfns, pages, 1); // goes through
 * ```
 */
export class FaultyStore implements PageStore {
  readonly name: string;
  readonly durable: boolean;
  private readonly faults = new Map<StoreCall, ActiveFault>();
  private readonly failures: Record<StoreCall, number> = { write: 0, read: 0, delete: 0, flush: 0 };
  private tail: Promise<unknown> = Promise.resolve();

  /** @param inner - the store that does the work */
  constructor(readonly inner: PageStore) {
    this.name = inner.name;
    this.durable = inner.durable;
  }

  /**
   * Makes `call` fail, or wait, from the next call on; replaces an earlier fault of the same call.
   *
   * @throws {@link @pagevisor/core!StoreError | StoreError} `STORE_ARGUMENT` for `times` that is not a positive integer or a negative delay
   */
  inject(call: StoreCall, fault: StoreFault = {}): void {
    const times = fault.times ?? Number.POSITIVE_INFINITY;
    if (times !== Number.POSITIVE_INFINITY && (!Number.isInteger(times) || times < 1)) throw new StoreError('STORE_ARGUMENT', `faulty store: times ${times} is not a positive integer`);
    const delayMs = fault.delayMs ?? 0;
    if (!(delayMs >= 0)) throw new StoreError('STORE_ARGUMENT', `faulty store: delayMs ${delayMs} is not a duration`);
    this.faults.set(call, { left: times, fails: fault.fails ?? true, delayMs, error: fault.error });
  }

  /** Removes the fault of `call`, or of every call. */
  heal(call?: StoreCall): void {
    if (call === undefined) this.faults.clear();
    else this.faults.delete(call);
  }

  /** How many calls of each kind failed because of an injected fault. */
  get injectedFailures(): Readonly<Record<StoreCall, number>> {
    return { ...this.failures };
  }

  writeBatch(gfns: Uint32Array, pages: Uint8Array, count: number, lengths?: Uint16Array): Promise<void> {
    return this.through('write', () => this.inner.writeBatch(gfns, pages, count, lengths));
  }

  readBatch(gfns: Uint32Array, count: number, into: Uint8Array, lengths?: Uint16Array): Promise<void> {
    return this.through('read', () => this.inner.readBatch(gfns, count, into, lengths));
  }

  deleteBatch(gfns: Uint32Array, count: number): Promise<void> {
    return this.through('delete', () => this.inner.deleteBatch(gfns, count));
  }

  flush(): Promise<void> {
    return this.through('flush', () => this.inner.flush());
  }

  /** Closes the inner store, after every earlier call; injected faults do not apply. */
  close(): Promise<void> {
    return this.inOrder(() => this.inner.close());
  }

  /** Closes the store, for `await using`. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  stats(): PageStoreStats {
    return this.inner.stats();
  }

  private through(call: StoreCall, forward: () => Promise<void>): Promise<void> {
    return this.inOrder(async () => {
      const fault = this.faults.get(call);
      if (fault === undefined) return forward();
      if (--fault.left <= 0) this.faults.delete(call);
      if (fault.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, fault.delayMs));
      if (!fault.fails) return forward();
      this.failures[call]++;
      throw fault.error?.(call) ?? new StoreError('STORE_IO', `${this.inner.name} store: ${call} failed (EIO injected by FaultyStore)`);
    });
  }

  /** Runs `operation` after every earlier call has settled. */
  private inOrder(operation: () => Promise<void>): Promise<void> {
    const run = this.tail.then(operation);
    this.tail = run.catch(() => undefined);
    return run;
  }
}

/**
 * Wraps the store another plugin registers in a {@link FaultyStore}, and hands it to `onCreate` so a
 * test can inject faults once the pager exists.
 *
 * @param inner - the store plugin (`memoryStore()`, `pagefileStore(...)`, your own)
 * @param onCreate - receives the wrapper when the pager registers its plugins
 * @returns the store plugin to give `createPager`
 * @throws {@link @pagevisor/core!StoreError | StoreError} `STORE_ARGUMENT` at registration if `inner` registers no store
 *
 * @example
 * ```ts
 * let disk!: FaultyStore;
 * const pager = createPager({ hypervisor, domid: domid, policy: xenpaging(), store: faultyStore(memoryStore(), (s) => (disk = s)) });
 * await pager.start();
 * disk.inject('write'); // evictions now fail; the pages stay in the guest
 * ```
 */
export function faultyStore(inner: PagevisorPlugin, onCreate: (store: FaultyStore) => void): PagevisorPlugin {
  return {
    name: `faulty ${inner.name}`,
    register(container, context) {
      let captured: PageStore | undefined;
      const capturing: PluginContainer = {
        provide<T>(token: Token<T>, value: T): void {
          if (token === PAGE_STORE) captured = value as PageStore;
          else container.provide(token, value);
        },
        provideAll: (token, values) => container.provideAll(token, values),
        resolve: (token) => container.resolve(token),
        resolveAll: (token) => container.resolveAll(token),
        has: (token) => (token === PAGE_STORE ? captured !== undefined : container.has(token)),
      };
      inner.register(capturing, context);
      if (captured === undefined) throw new StoreError('STORE_ARGUMENT', `faulty store: plugin ${inner.name} registered no store`);
      const store = new FaultyStore(captured);
      onCreate(store);
      container.provide(PAGE_STORE, store);
    },
  };
}
