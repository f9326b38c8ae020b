import { PAGE_IN_GONE } from '../../backend/paging-backend.js';
import { OUT, type PagerContext } from './pager-context.js';

/**
 * The pager's own page-ins: when the target rises, and for a graceful stop, it asks the backend for
 * paged-out pages to be faulted back in, sweeping the page space a batch at a time.
 */
export class PageInSweep {
  private readonly asked: Uint32Array;
  private readonly outcome: Uint8Array;
  /** Pages the backend found gone (a graceful stop may run the sweep beside a service pass). */
  private readonly gone: Uint32Array;
  /** Where the next sweep resumes. */
  private scanFrom = 0;

  constructor(private readonly ctx: PagerContext) {
    this.asked = new Uint32Array(ctx.maxBatch);
    this.outcome = new Uint8Array(ctx.maxBatch);
    this.gone = new Uint32Array(ctx.maxBatch);
  }

  /**
   * Asks for up to `limit` paged-out pages to come back in. A page the backend says is not out any more
   * (the guest gave it back and its removal was lost) is forgotten and its copy deleted, instead of
   * failing the graceful stop or waiting for it for ever.
   */
  async requestPageIns(limit: number): Promise<void> {
    const { out, maxPages } = this.ctx;
    const asked = this.asked;
    let count = 0;
    // Resume where the last call stopped: a graceful stop calls this once per batch of pages, and
    // rescanning from page 0 each time would be quadratic in the page space's size.
    for (let seen = 0; seen < maxPages && count < Math.min(limit, asked.length); seen++) {
      const gfn = this.scanFrom;
      this.scanFrom = gfn + 1 === maxPages ? 0 : gfn + 1;
      if (out[gfn] === OUT) asked[count++] = gfn;
    }
    if (count === 0) return;
    await this.ctx.backend.requestPageIn(asked, count, this.outcome);
    let gone = 0;
    for (let i = 0; i < count; i++) {
      if (this.outcome[i] !== PAGE_IN_GONE) continue;
      this.ctx.forget(asked[i]!);
      this.gone[gone++] = asked[i]!;
    }
    if (gone > 0) await this.ctx.store.deleteBatch(this.gone, gone);
  }
}
