import { PAGE_BYTES, PAGE_STORE, type PageStore, type PageStoreStats, type PagevisorPlugin } from '@pagevisor/core';
import type { OwedPages } from './owed-pages.js';

/**
 * The destination pager's store during a post-copy migration: the store the destination built, with
 * the guest's owed pages (still at the source) in front of it. The pager treats an owed gfn as paged
 * out; reading it asks the source for it on the return path (QEMU's page request) and waits until the
 * page lands here, by that answer or by the source's background push. Pages land, and the pager reads
 * and deletes, one after the other: a read never sees a page half landed, and a gfn the guest gives up
 * while owed (a balloon) is owed no longer, so a late copy of it is dropped.
 */
export class PostcopyStore implements PageStore {
  /** The pager's reads and deletes wait behind the landings before them. */
  private landing: Promise<unknown> = Promise.resolve();
  /** Per gfn: 1 while a copy written through this store (landed, or by the pager) is in `inner`. */
  private readonly held: Uint8Array;

  /**
   * @param inner - the destination's own store, which keeps every page once it has landed
   * @param owed - the gfns still at the source
   * @param request - sends a page request for owed gfns on the return path (lost if the connection is down: the wait goes on until it is made again)
   */
  constructor(
    private readonly inner: PageStore,
    private readonly owed: OwedPages,
    private readonly request: (gfns: Uint32Array) => void,
  ) {
    this.held = new Uint8Array(owed.bits.length);
  }

  get name(): string {
    return this.inner.name;
  }

  get durable(): boolean {
    return this.inner.durable;
  }

  async readBatch(gfns: Uint32Array, count: number, into: Uint8Array, lengths?: Uint16Array): Promise<void> {
    await this.landing;
    const owed = this.owed.bits;
    let missing = 0;
    for (let i = 0; i < count; i++) missing += owed[gfns[i]!]!;
    if (missing > 0) {
      const wanted = new Uint32Array(missing);
      for (let i = 0, n = 0; i < count; i++) if (owed[gfns[i]!] === 1) wanted[n++] = gfns[i]!;
      this.request(wanted);
      await this.owed.whenHere(wanted);
      await this.landing;
    }
    await this.inner.readBatch(gfns, count, into, lengths);
  }

  async writeBatch(gfns: Uint32Array, pages: Uint8Array, count: number, lengths?: Uint16Array): Promise<void> {
    await this.inner.writeBatch(gfns, pages, count, lengths);
    for (let i = 0; i < count; i++) this.held[gfns[i]!] = 1;
  }

  /**
   * Deletes copies. An owed gfn (the guest gave it up before it came) is owed no longer; its copy from
   * before the switch-over, if any (a page streamed in a round, dirtied since), goes too.
   */
  async deleteBatch(gfns: Uint32Array, count: number): Promise<void> {
    await this.landing;
    for (let i = 0; i < count; i++) this.owed.settle(gfns[i]!);
    this.owed.wake();
    await this.inner.deleteBatch(gfns, count);
    for (let i = 0; i < count; i++) this.held[gfns[i]!] = 0;
  }

  /** A failed post-copy: deletes every copy written through this store, landed or the pager's. */
  async dropAll(): Promise<void> {
    await this.landing;
    const gfns: number[] = [];
    this.held.forEach((held, gfn) => held === 1 && gfns.push(gfn));
    if (gfns.length > 0) await this.deleteBatch(Uint32Array.from(gfns), gfns.length);
  }

  /**
   * Lands pages from the source: the entries still owed are written to the destination's store and
   * owed no longer, the others (sent twice, or given up meanwhile) dropped.
   *
   * @returns the gfns that landed
   */
  land(gfns: Uint32Array, pages: Uint8Array, count: number): Promise<Uint32Array> {
    const landed = this.landing.then(async () => {
      const owed = this.owed.bits;
      const keep = new Uint32Array(count);
      let n = 0;
      for (let i = 0; i < count; i++) if (owed[gfns[i]!] === 1) keep[n++] = i;
      if (n === 0) return keep.subarray(0, 0);
      const at = new Uint32Array(n);
      const bytes = n === count ? pages : new Uint8Array(n * PAGE_BYTES);
      for (let k = 0; k < n; k++) {
        at[k] = gfns[keep[k]!]!;
        if (bytes !== pages) bytes.set(pages.subarray(keep[k]! * PAGE_BYTES, (keep[k]! + 1) * PAGE_BYTES), k * PAGE_BYTES);
      }
      await this.inner.writeBatch(at, bytes, n);
      for (const gfn of at) {
        this.owed.settle(gfn);
        this.held[gfn] = 1;
      }
      this.owed.wake();
      return at;
    });
    this.landing = landed.catch(() => undefined);
    return landed;
  }

  flush(): Promise<void> {
    return this.inner.flush();
  }

  close(): Promise<void> {
    return this.inner.close();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  stats(): PageStoreStats {
    return this.inner.stats();
  }
}

/**
 * Wraps the destination's store plugin in a {@link PostcopyStore} for a post-copy migration (the
 * `wrapStore` a {@link MigrationDestination}'s `createPager` is given).
 *
 * @param owed - the receiver's owed pages, asked for when the pager is built (after the stream's headers)
 */
export function postcopyStorePlugin(inner: PagevisorPlugin, owed: () => OwedPages, request: (gfns: Uint32Array) => void): PagevisorPlugin {
  return {
    name: inner.name,
    register(container, context) {
      inner.register(container, context);
      container.provide(PAGE_STORE, new PostcopyStore(container.resolve(PAGE_STORE), owed(), request));
    },
  };
}
