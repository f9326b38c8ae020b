import { PAGE_BYTES } from './sim-constants.js';

/**
 * Fills `out` (4096 bytes) with the content of `gfn` at `version` in a domain seeded `seed`: the same
 * bytes every time, different for every (seed, gfn, version). Page contents are never stored; they are
 * generated when a mapping reads them and compared when a page comes back in.
 *
 * @example
 * ```ts
 * const page = new Uint8Array(4096);
 * fillPageContent(page, 1, 0x1234, 0); // the content of gfn 0x1234, version 0, of a domain seeded 1
 * ```
 */
export function fillPageContent(out: Uint8Array, seed: number, gfn: number, version: number): void {
  // A Weyl sequence from a hash of the three inputs: one add per word, yet every word of every
  // (seed, gfn, version) differs from the same word of any other, so any lost or misplaced page shows.
  let h = Math.imul(seed ^ 0x5bd1e995, 0x9e3779b1) ^ Math.imul(gfn | 0, 0x85ebca6b) ^ Math.imul((gfn / 0x1_0000_0000) | 0, 0xc2b2ae35) ^ Math.imul(version + 1, 0x27d4eb2f);
  h ^= h >>> 15;
  h = Math.imul(h, 0x2c1b3c6d);
  h ^= h >>> 12;
  const step = (Math.imul(h, 0x297a2d39) | 1) >>> 0;
  const words = new Int32Array(out.buffer, out.byteOffset, PAGE_BYTES / 4);
  for (let i = 0; i < words.length; i++) {
    h = (h + step) | 0;
    words[i] = h;
  }
}

/**
 * Whether `bytes` is exactly the content of `gfn` at `version` (see {@link fillPageContent}).
 *
 * @example
 * ```ts
 * const scratch = new Uint8Array(4096);
 * isPageContent(bytes, 1, gfn, version, scratch); // whether bytes is that gfn's page at that version
 * ```
 */
export function isPageContent(bytes: Uint8Array, seed: number, gfn: number, version: number, scratch: Uint8Array): boolean {
  if (bytes.length !== PAGE_BYTES) return false;
  fillPageContent(scratch, seed, gfn, version);
  // Buffer.equals is a native memcmp: several times faster than a byte loop on 4 KiB.
  return Buffer.from(bytes.buffer, bytes.byteOffset, PAGE_BYTES).equals(Buffer.from(scratch.buffer, scratch.byteOffset, PAGE_BYTES));
}

const WORDS = ['paging', 'guest', 'frame', 'ring', 'event', 'the', 'of', 'xen', 'memory', 'domain', 'pager', 'victim', 'store', 'batch'];

/**
 * Fills `out` (4096 bytes) with text-like content, lines of words as a guest's page cache often
 * holds: the same for the same seed. Compression tests and benchmarks use it beside zero pages and
 * {@link fillPageContent}'s incompressible ones.
 *
 * @example
 * ```ts
 * const page = new Uint8Array(4096);
 * fillTextPage(page, 3); // lines of words: compresses about 4x with deflate
 * ```
 */
export function fillTextPage(out: Uint8Array, seed: number): void {
  let state = (seed | 0) ^ 0x6d2b79f5;
  let at = 0;
  while (at < PAGE_BYTES) {
    state = (Math.imul(state ^ (state >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) | 0;
    const word = WORDS[(state >>> 8) % WORDS.length]!;
    for (let i = 0; i < word.length && at < PAGE_BYTES; i++) out[at++] = word.charCodeAt(i);
    if (at < PAGE_BYTES) out[at++] = (state & 7) === 0 ? 0x0a : 0x20;
  }
}
