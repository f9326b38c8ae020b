import type { DomainInfo, ForeignMapping, HypervisorPort, PagingChannel } from '@pagevisor/core';
import type { Observable } from 'rxjs';
import type { SimHypervisor } from '../sim/sim-hypervisor.js';

/**
 * How many of the gfns the pager named lately an interleaved action can pick from.
 *
 * @example
 * ```ts
 * port.recentGfn(RECENT_GFNS - 1); // the oldest gfn still remembered
 * ```
 */
export const RECENT_GFNS = 8;

/**
 * The simulator seen through a {@link HypervisorPort} that calls `before` ahead of every call the
 * pager makes: there the interleaving scheduler runs guest and backend operations, inside the pager's
 * batches (between a nominate and its evict, between a prep and its resume). It also remembers the gfns
 * the pager's calls named, so actions can aim at the pages the pager is working on.
 *
 * @example
 * ```ts
 * const port = new InterleavedPort(xen, () => scheduler.point());
 * const pager = createPager({ hypervisor: port, domid: guest.domid, policy: xenpaging(), store: memoryStore() });
 * ```
 */
export class InterleavedPort implements HypervisorPort {
  /** The last {@link RECENT_GFNS} gfns the pager named, newest at `recentCount - 1` modulo the size. */
  readonly recent = new Int32Array(RECENT_GFNS).fill(-1);
  /** How many gfns were ever recorded in {@link InterleavedPort.recent}. */
  recentCount = 0;

  /**
   * @param hv - the simulated hypervisor the calls go to
   * @param before - runs ahead of every call, with the gfn it names (or -1)
   */
  constructor(
    private readonly hv: SimHypervisor,
    private readonly before: (gfn: number) => void,
  ) {}

  /** The gfn the pager named `back` calls ago (0: the latest), or -1. */
  recentGfn(back: number): number {
    if (this.recentCount === 0) return -1;
    const depth = Math.min(this.recentCount, RECENT_GFNS);
    return this.recent[(this.recentCount - 1 - (back % depth) + RECENT_GFNS) % RECENT_GFNS]!;
  }

  domainInfo(domid: number): DomainInfo {
    this.before(-1);
    return this.hv.domainInfo(domid);
  }

  announcedPagingAbi(domid: number): string | undefined {
    return this.hv.announcedPagingAbi(domid);
  }

  enablePaging(domid: number, abi: string): PagingChannel {
    return this.hv.enablePaging(domid, abi);
  }

  disablePaging(domid: number): void {
    this.before(-1);
    this.hv.disablePaging(domid);
  }

  nominate(domid: number, gfn: number): void {
    this.named(gfn);
    this.hv.nominate(domid, gfn);
  }

  evict(domid: number, gfn: number): void {
    this.named(gfn);
    this.hv.evict(domid, gfn);
  }

  prep(domid: number, gfn: number, buffer?: Uint8Array): void {
    this.named(gfn);
    this.hv.prep(domid, gfn, buffer);
  }

  resume(domid: number): void {
    this.before(-1);
    this.hv.resume(domid);
  }

  mapForeign(domid: number, gfn: number, writable: boolean): ForeignMapping {
    this.named(gfn);
    return this.hv.mapForeign(domid, gfn, writable);
  }

  unmapForeign(mapping: ForeignMapping): void {
    this.before(mapping.gfn);
    this.hv.unmapForeign(mapping);
  }

  notify$(domid: number): Observable<void> {
    return this.hv.notify$(domid);
  }

  target$(domid: number): Observable<number> {
    return this.hv.target$(domid);
  }

  private named(gfn: number): void {
    this.recent[this.recentCount++ % RECENT_GFNS] = gfn;
    this.before(gfn);
  }
}
