import { STORE_PAGE_BYTES, StoreError, type PageStore, type PageStoreStats } from '@pagevisor/core';

/** A naive store with the bugs the suite exists to catch, each switchable. */
export class MapStore implements PageStore {
  readonly name = 'map';
  readonly durable = false;
  private readonly pages = new Map<number, Uint8Array>();
  private closed = false;
  constructor(private readonly bugs: { ignoreLengths?: boolean; wrongMissingCode?: boolean; noRangeCheck?: boolean } = {}) {}
  async writeBatch(gfns: Uint32Array, pages: Uint8Array, count: number, lengths?: Uint16Array): Promise<void> {
    if (this.closed) throw new StoreError('STORE_CLOSED', 'closed');
    if (pages.length < count * STORE_PAGE_BYTES) throw new StoreError('STORE_ARGUMENT', 'short buffer');
    for (let i = 0; i < count; i++) {
      if (!this.bugs.noRangeCheck && gfns[i]! >= 4096) throw new StoreError('STORE_ARGUMENT', 'range', { gfn: gfns[i]! });
      if (lengths && lengths[i]! > STORE_PAGE_BYTES) throw new StoreError('STORE_ARGUMENT', 'length', { gfn: gfns[i]! });
      const length = lengths && !this.bugs.ignoreLengths ? lengths[i]! : STORE_PAGE_BYTES;
      this.pages.set(gfns[i]!, pages.slice(i * STORE_PAGE_BYTES, i * STORE_PAGE_BYTES + length));
    }
    this.writes += count;
  }
  async readBatch(gfns: Uint32Array, count: number, into: Uint8Array, lengths?: Uint16Array): Promise<void> {
    if (this.closed) throw new StoreError('STORE_CLOSED', 'closed');
    for (let i = 0; i < count; i++) {
      const page = this.pages.get(gfns[i]!);
      if (!page) throw new StoreError(this.bugs.wrongMissingCode ? 'STORE_IO' : 'STORE_MISSING', 'missing', { gfn: gfns[i]! });
      into.fill(0, i * STORE_PAGE_BYTES, (i + 1) * STORE_PAGE_BYTES);
      into.set(page, i * STORE_PAGE_BYTES);
      if (lengths) lengths[i] = page.length;
    }
    this.reads += count;
  }
  async deleteBatch(gfns: Uint32Array, count: number): Promise<void> {
    for (let i = 0; i < count; i++) if (this.pages.delete(gfns[i]!)) this.deletes++;
  }
  private deletes = 0;
  private writes = 0;
  private reads = 0;
  async flush(): Promise<void> {
    if (this.closed) throw new StoreError('STORE_CLOSED', 'closed');
  }
  async close(): Promise<void> {
    this.closed = true;
  }
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
  stats(): PageStoreStats {
    return { pages: this.pages.size, bytes: this.pages.size * STORE_PAGE_BYTES, writes: this.writes, reads: this.reads, deletes: this.deletes };
  }
}
