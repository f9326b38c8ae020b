import { describe, expect, it } from 'vitest';
import { STORE_PAGE_BYTES, StoreError, type PageStore, type PageStoreStats } from '@pagevisor/core';
import { runStoreConformance } from '@pagevisor/testing';

/** A naive store with the bugs the suite exists to catch, each switchable. */
class MapStore implements PageStore {
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

async function failures(bugs: ConstructorParameters<typeof MapStore>[0]): Promise<string[]> {
  const results = await runStoreConformance({ name: 'map', create: async () => ({ store: new MapStore(bugs) }) });
  return results.filter((r) => r.error).map((r) => r.name.replace('map: ', ''));
}

describe('store conformance suite', () => {
  it('catches each kind of broken store, and names what it broke', async () => {
    expect(await failures({ ignoreLengths: true })).toEqual(['keeps record lengths from 0 to 4096 and zero-fills the rest of the slot']);
    expect(await failures({ wrongMissingCode: true })).toEqual([
      'deletes, ignoring gfns it does not hold',
      'names a missing gfn in a STORE_MISSING error',
      'applies concurrent batches in call order',
    ]);
    expect(await failures({ noRangeCheck: true })).toEqual(['refuses a gfn beyond its range and a record longer than a page, and keeps working']);
  });

  it('passes a store with none of those bugs', async () => {
    expect(await failures({})).toEqual([]);
  });
});
