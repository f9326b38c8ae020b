import { MigrationError, MigrationStreamReader, MIGRATION_PAGE, type MigrationRecord, type PageStore } from '@pagevisor/core';
import { P2mType, PAGE_BYTES } from '../sim/sim-constants.js';
import type { SimHypervisor } from '../sim/sim-hypervisor.js';

const STREAMED = 1;
const STALE = 2;

/** What a {@link MigrationReceiver} restored. */
export interface ReceivedGuest {
  /** The new domain (paused until the caller resumes it). */
  readonly domid: number;
  /** Its gfns that are paged out: for the destination pager's `adoptPagedOut`. */
  readonly pagedOut: Uint32Array;
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
 */
export class MigrationReceiver {
  private readonly reader = new MigrationStreamReader();
  private store: PageStore | undefined;
  private domid: number | undefined;
  /** Per gfn: {@link STREAMED} once its page went into the store, {@link STALE} once it was sent again with its bytes. */
  private streamed: Uint8Array | undefined;
  private counts = { byReference: 0, streamed: 0 };

  /**
   * @param guest - the simulator's content seed and the vcpus of the guest (not in the stream: the
   *   simulator's truth about the guest, as its CPU setup is the toolstack's)
   * @param storeFor - the destination pager's store for the new domain, for streamed paged-out pages
   *   (asked once, at the first one)
   * @param reachableStore - the descriptor of the shared store this host reaches, if any
   */
  constructor(
    private readonly hv: SimHypervisor,
    private readonly guest: { readonly seed: number; readonly vcpus: number },
    private readonly storeFor: ((domid: number) => PageStore) | undefined,
    private readonly reachableStore: string | undefined,
  ) {}

  /** Takes the next bytes of the stream. @throws MigrationError for a bad stream, HypervisorError when the host cannot hold a page */
  async push(chunk: Uint8Array): Promise<void> {
    const records = this.reader.push(chunk);
    if (this.domid === undefined && this.reader.header !== undefined) {
      const domain = this.hv.createDomain({ maxPages: this.reader.header.gfns, seed: this.guest.seed, vcpus: this.guest.vcpus, hvm: this.reader.header.domainType === 'hvm', empty: true });
      this.domid = domain.domid;
      this.streamed = new Uint8Array(domain.maxPages);
      this.hv.pauseDomain(domain.domid);
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
    // The last record about each gfn left it paged out or not in the domain's p2m.
    const pagedOut: number[] = [];
    this.hv.domain(this.domid!).p2mType.forEach((type, gfn) => type === P2mType.ram_paged && pagedOut.push(gfn));
    return { domid: this.domid!, pagedOut: Uint32Array.from(pagedOut), ...this.counts };
  }

  /** Undoes what was received: the domain destroyed, streamed pages deleted from the store. */
  async abort(): Promise<void> {
    if (this.domid !== undefined) this.hv.destroyDomain(this.domid);
    this.domid = undefined;
    await this.deleteStreamed((state) => state !== 0);
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
        if (this.storeFor === undefined) throw this.refuse('PAGED_DATA record: this host has no store to keep paged-out pages in');
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
      case 'store-ref':
        if (record.store !== this.reachableStore) throw this.refuse(`STORE_REF names ${JSON.stringify(record.store)}, which this host does not reach (${this.reachableStore === undefined ? 'it reaches no shared store' : `it reaches ${JSON.stringify(this.reachableStore)}`})`);
        return;
      case 'round':
      case 'end':
        return;
    }
  }

  private refuse(why: string): MigrationError {
    return new MigrationError('MIGRATION_RECORD', why, { offset: this.reader.bytesRead, record: this.reader.recordsRead });
  }
}
