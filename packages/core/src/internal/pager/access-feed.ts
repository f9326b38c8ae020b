import { OUT, type PagerContext } from './pager-context.js';

/** Accesses drained from the backend per call. */
const CHUNK = 4096;

/**
 * Accesses to resident pages that a backend reports beyond faults (`capabilities.accesses` `sampled`
 * or `every`: userfaultfd's minor faults on sampled pages), fed to the policy's `notifyAccess`, as
 * xenpaging's policy never could be: Xen's paging ring carries faults alone.
 */
export class AccessFeed {
  private readonly pages: Uint32Array | undefined;

  constructor(private readonly ctx: PagerContext) {
    const { backend } = ctx;
    this.pages = backend.capabilities.accesses === 'none' || backend.drainAccesses === undefined ? undefined : new Uint32Array(CHUNK);
  }

  /** Drains every access the backend holds and tells the policy, at `time`, of those to pages still in. */
  feed(time: number): void {
    const pages = this.pages;
    if (pages === undefined) return;
    const { backend, out, policy, counters } = this.ctx;
    for (;;) {
      const n = backend.drainAccesses!(pages);
      for (let i = 0; i < n; i++) {
        const page = pages[i]!;
        // An access recorded before the page went out is news of nothing the policy may act on.
        if (page >= out.length || out[page] === OUT) continue;
        policy.notifyAccess(page, time);
        counters.accessesSeen++;
      }
      if (n < pages.length) return;
    }
  }
}
