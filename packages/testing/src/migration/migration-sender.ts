import { encodeMigrationHeader, encodeMigrationRecord, isPagevisorError, MIGRATION_BATCH_PAGES, MIGRATION_PAGE, type MigrationHeader, type PageStore } from '@pagevisor/core';
import { INVALID_MFN, P2mType, PAGE_BYTES, isGuestMemory, isGuestRam } from '../sim/sim-constants.js';
import { readPagesOrEach } from './read-pages.js';
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

/** What one round of {@link MigrationSender} sent. */
export interface RoundSent {
  /** gfns sent (with contents, as invalid, by reference or streamed). */
  readonly pages: number;
  /** Bytes of the round's records. */
  readonly bytes: number;
}

/**
 * The sending half of a migration of a simulated domain (Xen's xc_sr_save.c, RELEASE-4.6.0):
 * each round sends the gfns it is given in batches of 1024, a resident page with its bytes (read
 * through a foreign mapping, as xc_map_foreign_bulk), a gfn not in the guest as invalid (XTAB), a
 * paged-out one by reference or streamed from the source pager's store, and defers a gfn in between
 * states to the next round (as Xen's deferred_pages). For post-copy it also sends the switch-over, which
 * lists the pages it still owes instead of sending them, and then pushes those pages.
 */
export class MigrationSender {
  private readonly deferred: Uint8Array;
  private deferredCount = 0;
  private readonly gfns = new Uint32Array(MIGRATION_BATCH_PAGES);
  private readonly kinds = new Uint8Array(MIGRATION_BATCH_PAGES);
  private readonly pages = new Uint8Array(MIGRATION_BATCH_PAGES * PAGE_BYTES);
  private readonly paged = new Uint32Array(MIGRATION_BATCH_PAGES);
  private readonly pagedBytes = new Uint8Array(MIGRATION_BATCH_PAGES * PAGE_BYTES);
  private readonly owedList = new Uint32Array(MIGRATION_BATCH_PAGES);
  private sent = { pages: 0, bytes: 0 };

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

  /** What the stream's domain header says about the domain. */
  get header(): MigrationHeader {
    const d = this.hv.domain(this.domid);
    return { domainType: d.config.hvm ? 'hvm' : 'pv', gfns: d.maxPages };
  }

  /** The stream's headers, and for `by-reference` the STORE_REF naming the shared store. */
  async start(): Promise<void> {
    await this.out(encodeMigrationHeader(this.header));
    if (this.transfer.paged === 'by-reference') await this.out(encodeMigrationRecord({ type: 'store-ref', store: this.transfer.storeRef ?? '' }));
  }

  /** Sends `gfns` (every gfn for `all`) and the deferred ones, then the ROUND record. */
  async round(round: number, gfns: Uint32Array | 'all'): Promise<RoundSent> {
    return this.roundOf(round, gfns, undefined);
  }

  /**
   * Post-copy's switch-over, with the guest paused: like {@link round}, but the pages that would go with
   * their bytes (resident ones, and for `stream` paged-out ones) are owed instead: listed in
   * POSTCOPY_MISSING records and marked in `owe`, for the background push and the destination's requests.
   */
  async switchOver(round: number, gfns: Uint32Array | 'all', owe: Uint8Array): Promise<RoundSent> {
    return this.roundOf(round, gfns, owe);
  }

  /** Post-copy: sends these owed pages with their bytes (a push, or the answer to a request), no ROUND record. */
  async push(gfns: Uint32Array): Promise<RoundSent> {
    this.sent = { pages: 0, bytes: 0 };
    await this.sendList(gfns, undefined);
    return this.sent;
  }

  /** A connection made again after it broke: the headers, for the destination's new reader. */
  async reconnect(): Promise<void> {
    await this.out(encodeMigrationHeader(this.header));
  }

  private async roundOf(round: number, gfns: Uint32Array | 'all', owe: Uint8Array | undefined): Promise<RoundSent> {
    this.sent = { pages: 0, bytes: 0 };
    await this.sendList(this.withDeferred(gfns === 'all' ? undefined : gfns, this.hv.domain(this.domid).maxPages), owe);
    await this.out(encodeMigrationRecord({ type: 'round', round, pages: this.sent.pages }));
    return this.sent;
  }

  private async sendList(list: Uint32Array, owe: Uint8Array | undefined): Promise<void> {
    const d = this.hv.domain(this.domid);
    const oweStreamed = owe !== undefined && this.transfer.paged === 'stream';
    let n = 0;
    let withData = 0;
    let pagedCount = 0;
    let owedCount = 0;
    for (const gfn of list) {
      const type = d.p2mType[gfn]!;
      const paged = type === P2mType.ram_paged && d.p2mMfn[gfn] === INVALID_MFN;
      if (owe !== undefined && (isGuestRam(type) || (paged && oweStreamed))) {
        owe[gfn] = 1;
        this.owedList[owedCount++] = gfn;
        if (owedCount === MIGRATION_BATCH_PAGES) {
          await this.flushOwed(owedCount);
          owedCount = 0;
        }
        continue;
      }
      if (isGuestRam(type)) {
        const mapping = this.hv.mapForeign(this.domid, gfn, false);
        this.pages.set(mapping.bytes, withData++ * PAGE_BYTES);
        this.hv.unmapForeign(mapping);
        this.kinds[n] = MIGRATION_PAGE.normal;
      } else if (paged) {
        this.paged[pagedCount++] = gfn;
        if (pagedCount === MIGRATION_BATCH_PAGES) {
          await this.flushPaged(pagedCount);
          pagedCount = 0;
        }
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
    if (owedCount > 0) await this.flushOwed(owedCount);
  }

  /** The END record. */
  async end(): Promise<void> {
    await this.out(encodeMigrationRecord({ type: 'end' }));
  }

  private async flushData(n: number, withData: number): Promise<void> {
    await this.out(encodeMigrationRecord({ type: 'page-data', count: n, gfns: this.gfns, kinds: this.kinds, pages: this.pages.subarray(0, withData * PAGE_BYTES) }));
    this.sent.pages += n;
  }

  /** Lists the first `count` gfns of `owedList` in a POSTCOPY_MISSING record. */
  private async flushOwed(count: number): Promise<void> {
    await this.out(encodeMigrationRecord({ type: 'postcopy-missing', count, gfns: this.owedList }));
  }

  /** Sends `count` paged-out gfns by reference, or streams them. */
  private async flushPaged(count: number): Promise<void> {
    if (this.transfer.paged === 'by-reference') {
      await this.out(encodeMigrationRecord({ type: 'paged-ref', count, gfns: this.paged }));
      this.sent.pages += count;
      return;
    }
    const errors = await readPagesOrEach(this.transfer.store!, this.paged, count, this.pagedBytes);
    const have = errors === undefined ? count : this.keepRead(errors, count);
    if (have > 0) {
      await this.out(encodeMigrationRecord({ type: 'paged-data', count: have, gfns: this.paged, pages: this.pagedBytes.subarray(0, have * PAGE_BYTES) }));
      this.sent.pages += have;
    }
  }

  /**
   * Packs the pages that were read to the front of the batch and defers the ones the store no longer
   * holds (paged in, and their copies dropped, since they were listed); returns how many it kept.
   * @throws any other read error (a damaged record)
   */
  private keepRead(errors: readonly unknown[], count: number): number {
    let kept = 0;
    for (let i = 0; i < count; i++) {
      const error = errors[i];
      if (error === undefined) {
        this.paged[kept] = this.paged[i]!;
        this.pagedBytes.copyWithin(kept * PAGE_BYTES, i * PAGE_BYTES, (i + 1) * PAGE_BYTES);
        kept++;
      } else if (isPagevisorError(error, 'STORE_MISSING')) this.defer(this.paged[i]!);
      else throw error;
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
      const all = new Uint32Array(maxPages);
      for (let gfn = 0; gfn < maxPages; gfn++) all[gfn] = gfn;
      return all;
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
