/**
 * A domain's log-dirty bitmap (Xen's `d->arch.paging.log_dirty`, read and cleared by
 * XEN_DOMCTL_SHADOW_OP_CLEAN, read by _PEEK): one bit per gfn, set when the gfn changes under a
 * running migration. The marks come from the places listed in docs/guides/migration.md.
 */
export class DirtyLog {
  private readonly bits: Uint32Array;
  private marked = 0;

  constructor(gfns: number) {
    this.bits = new Uint32Array(Math.ceil(gfns / 32));
  }

  /** `paging_mark_dirty`: `gfn` changed. */
  mark(gfn: number): void {
    const word = gfn >>> 5;
    const bit = 1 << (gfn & 31);
    if ((this.bits[word]! & bit) !== 0) return;
    this.bits[word]! |= bit;
    this.marked++;
  }

  /** The marked gfns in ascending order; with `clear` (SHADOW_OP_CLEAN) the log starts afresh, without (SHADOW_OP_PEEK) it is left as it is. */
  take(clear: boolean): Uint32Array {
    const out = new Uint32Array(this.marked);
    let n = 0;
    for (let word = 0; word < this.bits.length && n < out.length; word++) {
      let w = this.bits[word]!;
      while (w !== 0) {
        const low = w & -w;
        out[n++] = word * 32 + 31 - Math.clz32(low);
        w ^= low;
      }
    }
    if (clear) {
      this.bits.fill(0);
      this.marked = 0;
    }
    return out;
  }
}
