import { PAGE_STORE, type PageStore, type PageStoreStats, type PagevisorPlugin } from '@pagevisor/core';

/**
 * A page store that gives the interleaving scheduler a point before every call the pager awaits and
 * again when it resolves: the guest and backends act while the pager's pages are on their way to or
 * from the store (the window between a nominate and its evict).
 *
 * @example
 * ```ts
 * const store = interleavedStore(memoryStore(), () => scheduler.point(-1));
 * ```
 */
export class InterleavedStore implements PageStore {
  readonly name: string;
  readonly durable: boolean;

  /**
   * @param inner - the store the calls go to
   * @param point - runs ahead of every call and after it resolves
   */
  constructor(
    private readonly inner: PageStore,
    private readonly point: () => void,
  ) {
    this.name = `interleaved ${inner.name}`;
    this.durable = inner.durable;
  }

  async writeBatch(gfns: Uint32Array, pages: Uint8Array, count: number, lengths?: Uint16Array): Promise<void> {
    this.point();
    await this.inner.writeBatch(gfns, pages, count, lengths);
    this.point();
  }

  async readBatch(gfns: Uint32Array, count: number, into: Uint8Array, lengths?: Uint16Array): Promise<void> {
    this.point();
    await this.inner.readBatch(gfns, count, into, lengths);
    this.point();
  }

  async deleteBatch(gfns: Uint32Array, count: number): Promise<void> {
    this.point();
    await this.inner.deleteBatch(gfns, count);
    this.point();
  }

  async flush(): Promise<void> {
    this.point();
    await this.inner.flush();
    this.point();
  }

  close(): Promise<void> {
    return this.inner.close();
  }

  /** Closes the store, for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  stats(): PageStoreStats {
    return this.inner.stats();
  }
}

/**
 * Wraps a store plugin: the store it registers is seen through an {@link InterleavedStore}.
 *
 * @example
 * ```ts
 * createPager({ hypervisor: port, domid, policy: xenpaging(), store: interleavedStore(memoryStore(), () => scheduler.point(-1)) });
 * ```
 */
export function interleavedStore(inner: PagevisorPlugin, point: () => void): PagevisorPlugin {
  return {
    name: `interleaved ${inner.name}`,
    register(container, context) {
      inner.register(container, context);
      container.provide(PAGE_STORE, new InterleavedStore(container.resolve(PAGE_STORE), point));
    },
  };
}
