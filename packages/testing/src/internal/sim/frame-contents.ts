import type { InvariantAuditor } from '../../sim/invariant-auditor.js';
import type { MachineFrames } from '../../sim/machine-frames.js';
import { fillPageContent, isPageContent } from '../../sim/page-content.js';
import { INVALID_MFN, P2mType, PAGE_BYTES, isGuestRam } from '../../sim/sim-constants.js';
import type { SimDomain } from '../../sim/sim-domain.js';
import type { SimMapping } from './sim-mapping.js';

/** Read-only mapping buffers kept for reuse. */
const POOL_LIMIT = 1024;

/**
 * What every frame holds, without storing pages: generated content of (domain seed, gfn, version),
 * or bytes written through a writable mapping; the copies read-only mappings see; and the integrity
 * check against what the guest last wrote.
 */
export class FrameContents {
  /**
   * Live read-only mappings per frame. Their bytes are a private copy (cheaper than sharing the frame's),
   * so a write to the frame is copied into each: a mapper sees the page as it is, as on a real mapping
   * (the pager of paging age 2 maps before it nominates and copies after).
   */
  private readonly readers = new Map<number, SimMapping[]>();
  private readonly scratch = new Uint8Array(PAGE_BYTES);
  /** Page buffers of unmapped read-only mappings, reused by the next ones. */
  private readonly pagePool: Uint8Array[] = [];

  constructor(
    private readonly frames: MachineFrames,
    private readonly auditor: InvariantAuditor | undefined,
  ) {}

  /** Copies frame `mfn` of `d` into `out`. */
  fill(d: SimDomain, mfn: number, out: Uint8Array): void {
    const written = this.frames.tables.written.get(mfn);
    if (written !== undefined) out.set(written);
    else if (this.frames.tables.contentGfn[mfn]! < 0) out.fill(0);
    else fillPageContent(out, d.seed, this.frames.tables.contentGfn[mfn]!, this.frames.tables.contentVersion[mfn]!);
  }

  /** A frame's 4096 bytes as they are now; `owner` undefined for a free frame. */
  frameBytes(owner: SimDomain | undefined, mfn: number): Uint8Array {
    const bytes = new Uint8Array(PAGE_BYTES);
    if (owner !== undefined) {
      this.fill(owner, mfn, bytes);
      return bytes;
    }
    // A free frame Xen 4.1's evict did not scrub still holds its last owner's page.
    const f = this.frames;
    const seed = f.tables.unscrubbed.get(mfn);
    const written = f.tables.written.get(mfn);
    if (written !== undefined) bytes.set(written);
    else if (seed !== undefined && f.tables.contentGfn[mfn]! >= 0) fillPageContent(bytes, seed, f.tables.contentGfn[mfn]!, f.tables.contentVersion[mfn]!);
    return bytes;
  }

  /** The bytes a new mapping of `mfn` sees: the frame's own for a writable one, a pooled copy otherwise. */
  mapBytes(d: SimDomain, mfn: number, writable: boolean): Uint8Array {
    const written = this.frames.tables.written.get(mfn);
    if (written !== undefined) {
      if (writable) return written;
      const copy = this.pagePool.pop() ?? new Uint8Array(PAGE_BYTES);
      copy.set(written);
      return copy;
    }
    // A writable mapping shares its bytes with the frame, so writes through it are the frame's content.
    const bytes = (writable ? undefined : this.pagePool.pop()) ?? new Uint8Array(PAGE_BYTES);
    this.fill(d, mfn, bytes);
    if (writable) this.frames.tables.written.set(mfn, bytes);
    return bytes;
  }

  /** A read-only mapping now sees every write to its frame. */
  addReader(mapping: SimMapping): void {
    const readers = this.readers.get(mapping.mfn);
    if (readers === undefined) this.readers.set(mapping.mfn, [mapping]);
    else readers.push(mapping);
  }

  /** A read-only mapping went away: its private copy goes back to the pool (it is invalid after unmap). */
  removeReader(mapping: SimMapping): void {
    const readers = this.readers.get(mapping.mfn)!;
    readers.splice(readers.indexOf(mapping), 1);
    if (readers.length === 0) this.readers.delete(mapping.mfn);
    if (this.pagePool.length < POOL_LIMIT) this.pagePool.push(mapping.bytes);
  }

  /** The guest writes `gfn`: a new version, seen by every mapping of its frame. */
  guestWrite(d: SimDomain, gfn: number): void {
    d.dirtyLog?.mark(gfn); // paging_mark_dirty from the write fault (or __hvm_copy)
    this.writeVersion(d, gfn, d.p2m.mfn[gfn]!, ++d.p2m.version[gfn]!);
  }

  /** Frame `mfn` now holds `version` of `gfn`; writable mappings share its bytes, readers get a copy. */
  writeVersion(d: SimDomain, gfn: number, mfn: number, version: number): void {
    this.frames.tables.contentGfn[mfn] = gfn;
    this.frames.tables.contentVersion[mfn] = version;
    const written = this.frames.tables.written.get(mfn);
    if (written !== undefined) fillPageContent(written, d.seed, gfn, version);
    const readers = this.readers.get(mfn);
    if (readers !== undefined) for (const reader of readers) fillPageContent(reader.bytes, d.seed, gfn, version);
  }

  /** `prep` loads `buffer` into `mfn`: kept as generated content when it is the gfn's page, as written bytes otherwise. */
  load(d: SimDomain, gfn: number, mfn: number, buffer: Uint8Array): void {
    if (isPageContent(buffer, d.seed, gfn, d.p2m.version[gfn]!, this.scratch)) {
      this.frames.tables.contentGfn[mfn] = gfn;
      this.frames.tables.contentVersion[mfn] = d.p2m.version[gfn]!;
    } else {
      this.frames.tables.written.set(mfn, buffer.slice());
    }
  }

  /**
   * Folds written bytes back into generated content when they match the gfn's version, so memory stays
   * bounded; a mismatch is left in place and reported to the auditor (the page was lost at `op`).
   */
  settle(d: SimDomain, gfn: number, op: string): void {
    if (!this.fold(d, gfn) && isGuestRam(d.p2m.type[gfn]!)) this.auditor?.contentLost(d, gfn, d.p2m.mfn[gfn]!, op);
  }

  /**
   * Folds the written bytes of `gfn`'s frame back into generated content when they are its version's;
   * false when they are not (left in place), true when they were folded or there is nothing to fold
   * (no written bytes, or a mapping still shares them).
   */
  fold(d: SimDomain, gfn: number): boolean {
    const mfn = d.p2m.mfn[gfn]!;
    const written = this.frames.tables.written.get(mfn);
    if (written === undefined || this.frames.tables.mapped[mfn]! > 0) return true;
    if (!isPageContent(written, d.seed, gfn, d.p2m.version[gfn]!, this.scratch)) return false;
    this.frames.tables.written.delete(mfn);
    this.frames.tables.contentGfn[mfn] = gfn;
    this.frames.tables.contentVersion[mfn] = d.p2m.version[gfn]!;
    return true;
  }

  /** The bytes `gfn` holds now (`undefined` while it has no frame). */
  read(d: SimDomain, gfn: number): Uint8Array | undefined {
    const mfn = d.p2m.mfn[gfn]!;
    if (mfn === INVALID_MFN) return undefined;
    const bytes = new Uint8Array(PAGE_BYTES);
    this.fill(d, mfn, bytes);
    return bytes;
  }

  /** The content `gfn` must have: generated from (seed, gfn, version). */
  expected(d: SimDomain, gfn: number): Uint8Array {
    const bytes = new Uint8Array(PAGE_BYTES);
    fillPageContent(bytes, d.seed, gfn, d.p2m.version[gfn]!);
    return bytes;
  }

  /** The RAM gfns of `[start, end)` whose content is not what the guest last wrote (a paged-out one included). */
  mismatches(d: SimDomain, start: number, end: number): { checked: number; mismatches: number[] } {
    const actual = new Uint8Array(PAGE_BYTES);
    const expected = Buffer.alloc(PAGE_BYTES);
    const actualBuffer = Buffer.from(actual.buffer);
    const mismatches: number[] = [];
    let checked = 0;
    for (const range of d.e820) {
      if (range.type !== 'ram') continue;
      for (let gfn = Math.max(range.start, start), last = Math.min(range.end, end); gfn < last; gfn++) {
        if (d.p2m.type[gfn] === P2mType.invalid) continue;
        checked++;
        const mfn = d.p2m.mfn[gfn]!;
        if (mfn === INVALID_MFN) {
          mismatches.push(gfn);
          continue;
        }
        this.fill(d, mfn, actual);
        fillPageContent(expected, d.seed, gfn, d.p2m.version[gfn]!);
        if (!actualBuffer.equals(expected)) mismatches.push(gfn);
      }
    }
    return { checked, mismatches };
  }
}
