import { PAGE_STORE, STORE_PAGE_BYTES, StoreError, type PageStore, type PageStoreStats, type PagevisorPlugin } from '@pagevisor/core';

/**
 * Pages striped over several stores (say, pagefiles on different disks) by gfn: gfn `g` lives in
 * stripe `g % n`. Each batch is split into one batch per stripe, sent to all stripes at once.
 * Durable when every stripe is; calls keep their order because each stripe keeps its own.
 */
export class StripedStore implements PageStore {
  readonly name = 'striped';
  readonly durable: boolean;

  constructor(private readonly stripes: readonly PageStore[]) {
    this.durable = stripes.every((stripe) => stripe.durable);
  }

  async writeBatch(gfns: Uint32Array, pages: Uint8Array, count: number, lengths?: Uint16Array): Promise<void> {
    checkBuffer(pages, count);
    await this.split(gfns, count, async (stripe, picked, n) => {
      const part = new Uint8Array(n * STORE_PAGE_BYTES);
      const partLengths = lengths ? new Uint16Array(n) : undefined;
      picked.forEach((i, k) => {
        part.set(pages.subarray(i * STORE_PAGE_BYTES, (i + 1) * STORE_PAGE_BYTES), k * STORE_PAGE_BYTES);
        if (partLengths) partLengths[k] = lengths![i]!;
      });
      await stripe.writeBatch(Uint32Array.from(picked, (i) => gfns[i]!), part, n, partLengths);
    });
  }

  async readBatch(gfns: Uint32Array, count: number, into: Uint8Array, lengths?: Uint16Array): Promise<void> {
    checkBuffer(into, count);
    await this.split(gfns, count, async (stripe, picked, n) => {
      const part = new Uint8Array(n * STORE_PAGE_BYTES);
      const partLengths = new Uint16Array(n);
      await stripe.readBatch(Uint32Array.from(picked, (i) => gfns[i]!), n, part, partLengths);
      picked.forEach((i, k) => {
        into.set(part.subarray(k * STORE_PAGE_BYTES, (k + 1) * STORE_PAGE_BYTES), i * STORE_PAGE_BYTES);
        if (lengths) lengths[i] = partLengths[k]!;
      });
    });
  }

  async deleteBatch(gfns: Uint32Array, count: number): Promise<void> {
    await this.split(gfns, count, (stripe, picked, n) => stripe.deleteBatch(Uint32Array.from(picked, (i) => gfns[i]!), n));
  }

  async flush(): Promise<void> {
    await Promise.all(this.stripes.map((stripe) => stripe.flush()));
  }

  async close(): Promise<void> {
    await Promise.all(this.stripes.map((stripe) => stripe.close()));
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  stats(): PageStoreStats {
    const all = this.stripes.map((stripe) => stripe.stats());
    const sum = (key: keyof PageStoreStats) => all.reduce((total, s) => total + s[key], 0);
    return { pages: sum('pages'), bytes: sum('bytes'), writes: sum('writes'), reads: sum('reads'), deletes: sum('deletes') };
  }

  /** Calls `each` once per stripe with the batch indexes that go to it (in order). */
  private async split(gfns: Uint32Array, count: number, each: (stripe: PageStore, picked: number[], n: number) => Promise<void>): Promise<void> {
    const picked: number[][] = this.stripes.map(() => []);
    for (let i = 0; i < count; i++) picked[gfns[i]! % this.stripes.length]!.push(i);
    await Promise.all(this.stripes.map((stripe, s) => (picked[s]!.length > 0 ? each(stripe, picked[s]!, picked[s]!.length) : Promise.resolve())));
  }
}

/** A batch's buffer must hold its pages (the stripes would only see their share of it). */
function checkBuffer(pages: Uint8Array, count: number): void {
  if (pages.length < count * STORE_PAGE_BYTES) throw new StoreError('STORE_ARGUMENT', `striped store: ${count} pages need ${count * STORE_PAGE_BYTES} bytes, got ${pages.length}`);
}

/** The striped store as a plugin: `makeStripe(i, maxPages)` builds stripe `i`. */
export function stripedStore(stripes: number, makeStripe: (index: number, maxPages: number) => PageStore): PagevisorPlugin {
  return {
    name: 'striped',
    register(container, context) {
      container.provide(PAGE_STORE, new StripedStore(Array.from({ length: stripes }, (_, i) => makeStripe(i, context.maxPages))));
    },
  };
}
