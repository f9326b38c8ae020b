import { PAGE_BYTES } from '../../page-bytes.js';

/**
 * One 4096-byte view per page of a batch buffer, made once per buffer rather than a `subarray` per
 * page per call: the engine hands the backend the same buffers every batch, and Xen's calls take one
 * page each.
 */
export class PageViews {
  private buffer: Uint8Array | undefined;
  private views: Uint8Array[] = [];

  /** The views of `bytes`; view `i` is page `i`. */
  of(bytes: Uint8Array): readonly Uint8Array[] {
    if (bytes !== this.buffer) {
      this.buffer = bytes;
      this.views = Array.from({ length: Math.floor(bytes.length / PAGE_BYTES) }, (_, i) => bytes.subarray(i * PAGE_BYTES, (i + 1) * PAGE_BYTES));
    }
    return this.views;
  }
}
