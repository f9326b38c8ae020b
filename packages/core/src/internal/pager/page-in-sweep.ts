import { isPagevisorError } from '../../errors/pagevisor-error.js';
import { OUT, type PagerContext } from './pager-context.js';

/**
 * The pager's own page-ins: when the target rises, and for a graceful stop, it asks for paged-out gfns
 * to come back in, sweeping the domain a ring's worth at a time.
 */
export class PageInSweep {
  /** gfns the sweep found gone (a graceful stop may run it beside a service pass). */
  private readonly gone: Uint32Array;
  /** Where the next sweep resumes. */
  private scanFrom = 0;

  constructor(private readonly ctx: PagerContext) {
    this.gone = new Uint32Array(ctx.abi.ringSlots);
  }

  /**
   * Starts the page-in of up to `limit` paged-out gfns the way xenpaging's `resume_pages` did: a
   * read-only foreign map starts the populate (and fails with ENOENT); the request then comes round.
   * A gfn that maps, or is no longer guest RAM (EINVAL), is not paged out any more: the guest gave it
   * back and its DROP_PAGE was lost (Xen 4.1 drops one when the ring is nearly full, 4.2+ a foreign
   * caller's when no slot is free). The pager forgets it and deletes its page, instead of failing the
   * graceful stop or waiting for it for ever.
   */
  async requestPageIns(limit: number): Promise<void> {
    const { hypervisor, config, out, maxPages } = this.ctx;
    let asked = 0;
    let gone = 0;
    // Resume where the last call stopped: a graceful stop calls this once per ring's worth of pages,
    // and rescanning from gfn 0 each time would be quadratic in the domain's size.
    for (let seen = 0; seen < maxPages && asked < limit; seen++) {
      const gfn = this.scanFrom;
      this.scanFrom = gfn + 1 === maxPages ? 0 : gfn + 1;
      if (out[gfn] !== OUT) continue;
      asked++;
      try {
        hypervisor.unmapForeign(hypervisor.mapForeign(config.domid, gfn, false));
      } catch (error) {
        if (isPagevisorError(error, 'ENOENT')) continue;
        if (!isPagevisorError(error, 'EINVAL')) throw error;
      }
      this.ctx.forget(gfn);
      this.gone[gone++] = gfn;
      if (gone === this.gone.length) {
        await this.ctx.store.deleteBatch(this.gone, gone);
        gone = 0;
      }
    }
    if (gone > 0) await this.ctx.store.deleteBatch(this.gone, gone);
  }
}
