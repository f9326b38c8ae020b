import { encodeMigrationHeader, encodeMigrationRecord, isPagevisorError, MIGRATION_BATCH_PAGES, MIGRATION_PAGE, type PageStore } from '@pagevisor/core';
import { INVALID_MFN, P2mType, PAGE_BYTES, isGuestMemory, isGuestRam } from '../sim/sim-constants.js';
import type { SimHypervisor } from '../sim/sim-hypervisor.js';

/**
 * How a migration moves the pages the source had paged out: `by-reference`, only their gfns (the
 * destination's pager takes over the source's store, which both hosts reach); `stream`, their bytes
 * read from the source's store, never paged into the guest.
 *
 * @example
 * ```ts
 * const paged: PagedTransfer = 'by-reference';
 * ```
 */
export type PagedTransfer = 'by-reference' | 'stream';

/** What one round of {@link PrecopySender} sent. */
export interface RoundSent {
  /** gfns sent (with contents, as invalid, by reference or streamed). */
  readonly pages: number;
  /** Pages sent by reference (PAGED_REF). */
  readonly byReference: number;
  /** Paged-out pages streamed from the source's store (PAGED_DATA). */
  readonly streamed: number;
  /** Bytes of the round's records. */
  readonly bytes: number;
  /** gfns left for the next round: between states (nominated, coming in), or gone from the store as read. */
  readonly deferred: number;
}

/**
 * The sending half of a pre-copy migration of a simulated domain (Xen's xc_sr_save.c, RELEASE-4.6.0):
 * each round sends the gfns it is given in batches of 1024, a resident page with its bytes (read
 * through a foreign mapping, as xc_map_foreign_bulk), a gfn not in the guest as invalid (XTAB), a
 * paged-out one by reference or streamed from the source pager's store, and defers a gfn in between
 * states to the next round (as Xen's deferred_pages).
 */
export class PrecopySender {
  private readonly deferred: Uint8Array;
  private deferredCount = 0;
  private readonly gfns = new Uint32Array(MIGRATION_BATCH_PAGES);
  private readonly kinds = new Uint8Array(MIGRATION_BATCH_PAGES);
  private readonly pages = new Uint8Array(MIGRATION_BATCH_PAGES * PAGE_BYTES);
  private readonly paged = new Uint32Array(MIGRATION_BATCH_PAGES);
  private readonly pagedBytes = new Uint8Array(MIGRATION_BATCH_PAGES * PAGE_BYTES);
  private sent = { pages: 0, byReference: 0, streamed: 0, bytes: 0 };

  /**
   * @param send - takes each record's bytes, in order
   * @param transfer - how paged-out pages go, and for `stream` the store they are read from
   */
  constructor(
    private readonly hv: SimHypervisor,
    private readonly domid: number,
    private readonly send: (bytes: Uint8Array) => Promise<void>,
    private readonly transfer: { readonly paged: PagedTransfer; readonly store?: PageStore; readonly storeRef?: string },
  ) {
    this.deferred = new Uint8Array(hv.domain(domid).maxPages);
    if (transfer.paged === 'stream' && transfer.store === undefined) throw new RangeError('streaming paged-out pages needs the source pager\'s store');
  }

  /** gfns waiting for the next round. */
  get pending(): number {
    return this.deferredCount;
  }

  /** The stream's headers, and for `by-reference` the STORE_REF naming the shared store. */
  async start(): Promise<void> {
    const d = this.hv.domain(this.domid);
    await this.out(encodeMigrationHeader({ domainType: d.config.hvm ? 'hvm' : 'pv', gfns: d.maxPages }));
    if (this.transfer.paged === 'by-reference') await this.out(encodeMigrationRecord({ type: 'store-ref', store: this.transfer.storeRef ?? '' }));
  }

  /** Sends `gfns` (every gfn for `all`) and the deferred ones, then the ROUND record. */
  async round(round: number, gfns: Uint32Array | 'all'): Promise<RoundSent> {
    const d = this.hv.domain(this.domid);
    this.sent = { pages: 0, byReference: 0, streamed: 0, bytes: 0 };
    const list = this.withDeferred(gfns === 'all' ? undefined : gfns, d.maxPages);
    let n = 0;
    let withData = 0;
    let pagedCount = 0;
    for (const gfn of list) {
      const type = d.p2mType[gfn]!;
      if (isGuestRam(type)) {
        const mapping = this.hv.mapForeign(this.domid, gfn, false);
        this.pages.set(mapping.bytes, withData++ * PAGE_BYTES);
        this.hv.unmapForeign(mapping);
        this.kinds[n] = MIGRATION_PAGE.normal;
      } else if (type === P2mType.ram_paged && d.p2mMfn[gfn] === INVALID_MFN) {
        this.paged[pagedCount++] = gfn;
        if (pagedCount === MIGRATION_BATCH_PAGES) pagedCount = await this.flushPaged(pagedCount);
        continue;
      } else if (type === P2mType.ram_broken) {
        this.kinds[n] = MIGRATION_PAGE.broken;
      } else if (!isGuestMemory(type)) {
        this.kinds[n] = MIGRATION_PAGE.invalid;
      } else {
        this.defer(gfn); // nominated or coming in: its next state is sent next round
        continue;
      }
      this.gfns[n++] = gfn;
      if (n === MIGRATION_BATCH_PAGES) {
        await this.flushData(n, withData);
        n = 0;
        withData = 0;
      }
    }
    if (n > 0) await this.flushData(n, withData);
    if (pagedCount > 0) await this.flushPaged(pagedCount);
    await this.out(encodeMigrationRecord({ type: 'round', round, pages: this.sent.pages }));
    return { ...this.sent, deferred: this.deferredCount };
  }

  /** The END record. */
  async end(): Promise<void> {
    await this.out(encodeMigrationRecord({ type: 'end' }));
  }

  private async flushData(n: number, withData: number): Promise<void> {
    await this.out(encodeMigrationRecord({ type: 'page-data', count: n, gfns: this.gfns, kinds: this.kinds, pages: this.pages.subarray(0, withData * PAGE_BYTES) }));
    this.sent.pages += n;
  }

  /** Sends `count` paged-out gfns by reference, or streams them; returns 0 (the batch is empty again). */
  private async flushPaged(count: number): Promise<number> {
    if (this.transfer.paged === 'by-reference') {
      await this.out(encodeMigrationRecord({ type: 'paged-ref', count, gfns: this.paged }));
      this.sent.pages += count;
      this.sent.byReference += count;
      return 0;
    }
    const store = this.transfer.store!;
    let have = count;
    try {
      await store.readBatch(this.paged, count, this.pagedBytes);
    } catch (error) {
      if (!isPagevisorError(error, 'STORE_MISSING')) throw error;
      have = await this.readEach(store, count); // paged in (and its copy dropped) since it was listed
    }
    if (have > 0) {
      await this.out(encodeMigrationRecord({ type: 'paged-data', count: have, gfns: this.paged, pages: this.pagedBytes.subarray(0, have * PAGE_BYTES) }));
      this.sent.pages += have;
      this.sent.streamed += have;
    }
    return 0;
  }

  /** Reads the batch page by page, deferring the gfns the store no longer holds; returns how many it kept (packed to the front). */
  private async readEach(store: PageStore, count: number): Promise<number> {
    let kept = 0;
    for (let i = 0; i < count; i++) {
      const gfn = this.paged[i]!;
      try {
        await store.readBatch(this.paged.subarray(i, i + 1), 1, this.pagedBytes.subarray(kept * PAGE_BYTES, (kept + 1) * PAGE_BYTES));
        this.paged[kept++] = gfn;
      } catch (error) {
        if (!isPagevisorError(error, 'STORE_MISSING')) throw error;
        this.defer(gfn);
      }
    }
    return kept;
  }

  private defer(gfn: number): void {
    if (this.deferred[gfn] === 1) return;
    this.deferred[gfn] = 1;
    this.deferredCount++;
  }

  /** `gfns` (all of them when undefined) with the deferred ones added, each once; the deferred set starts afresh. */
  private withDeferred(gfns: Uint32Array | undefined, maxPages: number): Uint32Array {
    if (gfns === undefined) {
      this.deferred.fill(0);
      this.deferredCount = 0;
      return Uint32Array.from({ length: maxPages }, (_, gfn) => gfn);
    }
    const take = this.deferred;
    for (const gfn of gfns) take[gfn] = 1;
    const list = new Uint32Array(gfns.length + this.deferredCount);
    let n = 0;
    for (let gfn = 0; gfn < take.length; gfn++) if (take[gfn] === 1) list[n++] = gfn;
    take.fill(0);
    this.deferredCount = 0;
    return list.subarray(0, n);
  }

  private async out(bytes: Uint8Array): Promise<void> {
    this.sent.bytes += bytes.length;
    await this.send(bytes);
  }
}
