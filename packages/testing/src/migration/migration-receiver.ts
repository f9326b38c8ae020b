import { MigrationError, MigrationStreamReader, MIGRATION_PAGE, type MigrationRecord, type PageStore } from '@pagevisor/core';
import { P2mType, PAGE_BYTES } from '../sim/sim-constants.js';
import type { SimHypervisor } from '../sim/sim-hypervisor.js';
import { OwedPages } from './owed-pages.js';
import { PostcopyStore } from './postcopy-store.js';

const STREAMED = 1;
const STALE = 2;

/** What a {@link MigrationReceiver} restored. */
export interface ReceivedGuest {
  /** The new domain (paused until the caller resumes it). */
  readonly domid: number;
  /** Pages taken over by reference. */
  readonly byReference: number;
  /** Paged-out pages that came with their bytes and went into the destination's store. */
  readonly streamed: number;
}

/**
 * The receiving half of a migration (Xen's xc_sr_restore.c): reads the stream as it arrives, creates
 * the domain empty and paused at its headers, and applies each record: the last record about a gfn
 * says what it is. Paged-out pages that arrive with their bytes go into the destination pager's store;
 * pages sent by reference must be in the store the stream names, which must be the one this host
 * reaches. Any error in the stream leaves nothing behind after {@link MigrationReceiver.abort}.
 *
 * Post-copy: POSTCOPY_MISSING records list the gfns still at the source, which become paged out here
 * and owed; the ROUND record after them is the switch-over, after which every page that comes lands in
 * the destination pager's {@link PostcopyStore} if it is still owed, and is dropped if not (sent twice).
 */
export class MigrationReceiver {
  private reader = new MigrationStreamReader();
  private store: PageStore | undefined;
  private domid: number | undefined;
  /** Post-copy: the gfns still at the source (from the header on; empty before a switch-over). */
  owed: OwedPages | undefined;
  /** Post-copy: a POSTCOPY_MISSING record came; the ROUND after it starts post-copy. */
  private switching = false;
  /** Post-copy: the guest runs here, its owed pages land in the store as they come. */
  private postcopy = false;
  /** Per gfn: {@link STREAMED} once its page went into the store, {@link STALE} once it was sent again with its bytes. */
  private streamed: Uint8Array | undefined;
  private counts = { byReference: 0, streamed: 0 };

  /**
   * @param guest - the simulator's content seed and the vcpus of the guest (not in the stream: the
   *   simulator's truth about the guest, as its CPU setup is the toolstack's)
   * @param storeFor - the destination pager's store for the new domain (asked once, at the first page
   *   that goes into it: a streamed paged-out page, or a page landing in post-copy)
   * @param accepts - whether paged-out pages may come with their bytes (`stream`), and the descriptor of
   *   the shared store this host reaches, if any
   */
  constructor(
    private readonly hv: SimHypervisor,
    private readonly guest: { readonly seed: number; readonly vcpus: number },
    private readonly storeFor: (domid: number) => PageStore,
    private readonly accepts: { readonly streamed: boolean; readonly reachableStore?: string },
  ) {}

  /**
   * A connection made again after it broke (post-copy's recovery): a new reader, which reads the
   * headers again and checks they are this domain's; what the old one held of a record is dropped.
   */
  reconnect(): void {
    this.reader = new MigrationStreamReader();
  }

  /** Takes the next bytes of the stream. @throws MigrationError for a bad stream, HypervisorError when the host cannot hold a page */
  async push(chunk: Uint8Array): Promise<void> {
    const records = this.reader.push(chunk);
    const header = this.reader.header;
    if (this.domid === undefined && header !== undefined) {
      const domain = this.hv.createDomain({ maxPages: header.gfns, seed: this.guest.seed, vcpus: this.guest.vcpus, hvm: header.domainType === 'hvm', empty: true });
      this.domid = domain.domid;
      this.streamed = new Uint8Array(domain.maxPages);
      this.owed = new OwedPages(domain.maxPages);
      this.hv.pauseDomain(domain.domid);
    } else if (header !== undefined && header.gfns !== this.streamed!.length) {
      throw new MigrationError('MIGRATION_HEADER', `the connection made again is for a domain of ${header.gfns} gfns, not this one's ${this.streamed!.length}`, { offset: 0, record: 0 });
    }
    for (const record of records) await this.apply(record);
  }

  /**
   * The stream is over: streamed copies of pages sent again later with their bytes are deleted from the store.
   * @throws MigrationError `MIGRATION_TRUNCATED` when it ended before END
   */
  async finish(): Promise<ReceivedGuest> {
    this.reader.finish();
    await this.deleteStreamed((state) => state === STALE);
    return { domid: this.domid!, ...this.counts };
  }

  /** The new domain's gfns that are paged out: the last record about each left it so (or owed, in post-copy). */
  pagedOut(): Uint32Array {
    const pagedOut: number[] = [];
    this.hv.domain(this.domid!).p2mType.forEach((type, gfn) => type === P2mType.ram_paged && pagedOut.push(gfn));
    return Uint32Array.from(pagedOut);
  }

  /** The new domain (after the headers). */
  get domainId(): number | undefined {
    return this.domid;
  }

  /** Undoes what was received: the domain destroyed, streamed pages deleted from the store. */
  async abort(): Promise<void> {
    if (this.domid !== undefined) this.hv.destroyDomain(this.domid);
    this.domid = undefined;
    await this.deleteStreamed((state) => state !== 0);
  }

  /** Lands the pages of a record that come after the switch-over: owed ones go into the store, the others are dropped. */
  private async land(gfns: Uint32Array, pages: Uint8Array, count: number): Promise<void> {
    const store = (this.store ??= this.storeFor(this.domid!));
    if (!(store instanceof PostcopyStore)) throw new TypeError('post-copy needs the destination pager built on the PostcopyStore its createPager is given');
    for (const gfn of await store.land(gfns, pages, count)) this.streamed![gfn] = STREAMED;
  }

  /** Deletes from the store the streamed pages whose state (0, {@link STREAMED} or {@link STALE}) `which` picks. */
  private async deleteStreamed(which: (state: number) => boolean): Promise<void> {
    const streamed = this.streamed;
    if (this.store === undefined || streamed === undefined) return;
    const gfns: number[] = [];
    streamed.forEach((state, gfn) => which(state) && gfns.push(gfn));
    if (gfns.length > 0) await this.store.deleteBatch(Uint32Array.from(gfns), gfns.length);
  }

  private async apply(record: MigrationRecord): Promise<void> {
    const domid = this.domid!;
    switch (record.type) {
      case 'page-data': {
        if (this.postcopy) {
          if (!record.kinds.subarray(0, record.count).every((kind) => kind === MIGRATION_PAGE.normal)) throw this.refuse('PAGE_DATA record after the switch-over with a page that has no contents: a page still at the source has some');
          return this.land(record.gfns, record.pages, record.count);
        }
        let data = 0;
        for (let i = 0; i < record.count; i++) {
          const gfn = record.gfns[i]!;
          if (this.streamed![gfn] === STREAMED) this.streamed![gfn] = STALE;
          if (record.kinds[i] === MIGRATION_PAGE.normal) {
            this.hv.restorePage(domid, gfn, record.pages.subarray(data * PAGE_BYTES, ++data * PAGE_BYTES));
          } else this.hv.restoreInvalid(domid, gfn);
        }
        return;
      }
      case 'paged-data': {
        if (this.postcopy) return this.land(record.gfns, record.pages, record.count);
        if (!this.accepts.streamed) throw this.refuse('PAGED_DATA record: this host has no store to keep paged-out pages in');
        this.store ??= this.storeFor(domid);
        await this.store.writeBatch(record.gfns, record.pages, record.count);
        for (let i = 0; i < record.count; i++) {
          this.streamed![record.gfns[i]!] = STREAMED;
          this.hv.restorePaged(domid, record.gfns[i]!);
        }
        this.counts.streamed += record.count;
        return;
      }
      case 'paged-ref':
        for (let i = 0; i < record.count; i++) this.hv.restorePaged(domid, record.gfns[i]!);
        this.counts.byReference += record.count;
        return;
      case 'store-ref': {
        const reachable = this.accepts.reachableStore;
        if (record.store !== reachable) throw this.refuse(`STORE_REF names ${JSON.stringify(record.store)}, which this host does not reach (${reachable === undefined ? 'it reaches no shared store' : `it reaches ${JSON.stringify(reachable)}`})`);
        return;
      }
      case 'postcopy-missing':
        if (this.postcopy) throw this.refuse('POSTCOPY_MISSING record from the source after the switch-over');
        this.switching = true;
        for (let i = 0; i < record.count; i++) {
          const gfn = record.gfns[i]!;
          // A copy streamed in a round stays until the owed page replaces it, or the guest gives the gfn up (its pager deletes it).
          this.hv.restorePaged(domid, gfn);
          this.owed!.owe(gfn);
        }
        return;
      case 'page-request':
        throw this.refuse('PAGE_REQUEST record from the source: requests go the other way, on the return path');
      case 'round':
        if (this.switching) this.postcopy = true;
        return;
      case 'end':
        if (this.owed!.count > 0) throw this.refuse(`END with ${this.owed!.count} pages still at the source`);
        return;
    }
  }

  private refuse(why: string): MigrationError {
    return new MigrationError('MIGRATION_RECORD', why, { offset: this.reader.bytesRead, record: this.reader.recordsRead });
  }
}
