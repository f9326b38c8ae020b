import { ByteView } from '../abi/byte-view.js';
import { RingError } from '../errors/ring-error.js';
import { RING_HEADER_BYTES, RING_PAGE_BYTES, ringSlotsFor } from './ring-geometry.js';

/** Word index of `req_prod` in the header. @internal */
export const REQ_PROD = 0;
/** Word index of `req_event` in the header. @internal */
export const REQ_EVENT = 1;
/** Word index of `rsp_prod` in the header. @internal */
export const RSP_PROD = 2;
/** Word index of `rsp_event` in the header. @internal */
export const RSP_EVENT = 3;

/** A header word: {@link REQ_PROD}, {@link REQ_EVENT}, {@link RSP_PROD} or {@link RSP_EVENT}. @internal */
export type RingHeaderWord = 0 | 1 | 2 | 3;

/** Xen's ring is little-endian; a big-endian host byte-swaps the header words it loads and stores. */
const HOST_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function swap32(value: number): number {
  return (((value & 0xff) << 24) | ((value & 0xff00) << 8) | ((value >>> 8) & 0xff00) | (value >>> 24)) >>> 0;
}

/**
 * The shared page of an `io/ring.h` ring: the 64-byte header (`req_prod`, `req_event`, `rsp_prod`,
 * `rsp_event`, padding) and the power-of-two array of entry slots behind it.
 *
 * @remarks
 * The page is a 4096-byte `ArrayBuffer` or `SharedArrayBuffer`. Header indexes are read and published
 * with `Atomics`, so a front and a back end may live in different workers; entries are written before
 * the producer index that publishes them (the write barrier of `RING_PUSH_*`). The two ends are
 * {@link FrontRing} (the hypervisor: requests out, responses in) and {@link BackRing} (the pager).
 *
 * @example
 * ```ts
 * import { SharedRing, VM_EVENT_V7 } from '@pagevisor/core';
 *
 * const sring = SharedRing.create(VM_EVENT_V7.entryBytes); // SHARED_RING_INIT on a fresh page
 * sring.slots; // 8
 * ```
 */
export class SharedRing {
  /** The ring page. */
  readonly page: ArrayBuffer | SharedArrayBuffer;
  /** Byte views over the whole page, for codecs to read and write slots in place. */
  readonly view: ByteView;
  /** Size of one entry in bytes. */
  readonly entryBytes: number;
  /** Number of slots (a power of two). */
  readonly slots: number;
  private readonly header: Uint32Array;
  /** One view per slot, made once, so codecs copy whole entries with no per-message allocation. */
  private readonly slotViews: readonly ByteView[];

  /**
   * Views an existing ring page without initialising it (the side that did not create the ring).
   *
   * @param page - exactly 4096 bytes
   * @param entryBytes - the entry size of the ABI in use
   * @throws {@link RingError} `RING_BUFFER` for a page of another size or an entry that does not fit
   */
  constructor(page: ArrayBuffer | SharedArrayBuffer, entryBytes: number) {
    if (page.byteLength !== RING_PAGE_BYTES) {
      throw new RingError('RING_BUFFER', `a ring page is ${RING_PAGE_BYTES} bytes, got ${page.byteLength}`);
    }
    this.page = page;
    this.view = new ByteView(page);
    this.entryBytes = entryBytes;
    this.slots = ringSlotsFor(entryBytes);
    this.header = new Uint32Array(page, 0, 4);
    this.slotViews = Array.from(
      { length: this.slots },
      (_, slot) => new ByteView(new Uint8Array(page, RING_HEADER_BYTES + slot * entryBytes, entryBytes)),
    );
  }

  /**
   * Allocates a page and initialises it (`SHARED_RING_INIT`).
   *
   * @param entryBytes - the entry size of the ABI in use
   * @param shared - allocate a `SharedArrayBuffer` (to hand to a worker) instead of an `ArrayBuffer`
   */
  static create(entryBytes: number, shared = false): SharedRing {
    const ring = new SharedRing(shared ? new SharedArrayBuffer(RING_PAGE_BYTES) : new ArrayBuffer(RING_PAGE_BYTES), entryBytes);
    ring.init();
    return ring;
  }

  /**
   * `SHARED_RING_INIT`: both producer indexes 0, both event indexes 1, padding zeroed. In xenpaging the
   * pager does this (4.1 before enable, 4.2 after).
   */
  init(): void {
    this.view.bytes.fill(0, 16, RING_HEADER_BYTES);
    this.store(REQ_PROD, 0);
    this.store(RSP_PROD, 0);
    this.store(REQ_EVENT, 1);
    this.store(RSP_EVENT, 1);
  }

  /** `req_prod`: requests published by the front end. */
  get reqProd(): number {
    return this.load(REQ_PROD);
  }
  /** Publishes `req_prod` (the end that owns it; tests and attaching rings also set it). */
  set reqProd(value: number) {
    this.store(REQ_PROD, value);
  }
  /** `req_event`: the back end wants a notification when `req_prod` passes this index. */
  get reqEvent(): number {
    return this.load(REQ_EVENT);
  }
  /** Publishes `req_event` (the end that owns it; tests and attaching rings also set it). */
  set reqEvent(value: number) {
    this.store(REQ_EVENT, value);
  }
  /** `rsp_prod`: responses published by the back end. */
  get rspProd(): number {
    return this.load(RSP_PROD);
  }
  /** Publishes `rsp_prod` (the end that owns it; tests and attaching rings also set it). */
  set rspProd(value: number) {
    this.store(RSP_PROD, value);
  }
  /** `rsp_event`: the front end wants a notification when `rsp_prod` passes this index. */
  get rspEvent(): number {
    return this.load(RSP_EVENT);
  }
  /** Publishes `rsp_event` (the end that owns it; tests and attaching rings also set it). */
  set rspEvent(value: number) {
    this.store(RSP_EVENT, value);
  }

  /** Byte offset in the page of the slot that ring index `index` maps to (`index & (slots − 1)`). */
  slotOffset(index: number): number {
    return RING_HEADER_BYTES + (index & (this.slots - 1)) * this.entryBytes;
  }

  /** A view of exactly the slot that ring index `index` maps to; codecs read and write it at offset 0. */
  slotView(index: number): ByteView {
    return this.slotViews[index & (this.slots - 1)]!;
  }

  /** Reads a header word with `Atomics.load` (an acquire of what the producer published). @internal */
  load(word: RingHeaderWord): number {
    const value = Atomics.load(this.header, word);
    return HOST_LITTLE_ENDIAN ? value : swap32(value);
  }

  /** Publishes a header word with `Atomics.store`, after the slot writes it covers. @internal */
  store(word: RingHeaderWord, value: number): void {
    Atomics.store(this.header, word, HOST_LITTLE_ENDIAN ? value >>> 0 : swap32(value >>> 0));
  }
}
