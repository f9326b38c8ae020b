/**
 * A byte buffer with the views a codec needs, built once and reused for every entry in it.
 *
 * @remarks
 * Codecs read and write entries in place (a ring slot, a scratch buffer) through a `ByteView`, so the
 * hot path allocates no `DataView` per message. All multi-byte fields are little-endian, as on x86 Xen.
 *
 * @example
 * ```ts
 * import { ByteView, VM_EVENT_V7 } from '@pagevisor/core';
 *
 * const view = new ByteView(new Uint8Array(VM_EVENT_V7.entryBytes));
 * VM_EVENT_V7.encode(VM_EVENT_V7.create({ gfn: 0x1234 }), view, 0);
 * ```
 */
export class ByteView {
  /** The bytes, as given (same buffer, same offset). */
  readonly bytes: Uint8Array;
  /** A DataView over exactly {@link ByteView.bytes}. */
  readonly data: DataView;

  /**
   * @param bytes - the buffer to view; an `ArrayBuffer` or `SharedArrayBuffer` is viewed whole
   */
  constructor(bytes: Uint8Array | ArrayBufferLike) {
    this.bytes = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
    this.data = new DataView(this.bytes.buffer, this.bytes.byteOffset, this.bytes.byteLength);
  }
}
