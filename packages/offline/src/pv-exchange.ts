import {
  OFFLINE_HANDLERS,
  PAGE_BYTES,
  PG_OFFLINE,
  PG_OFFLINE_QUERY,
  PTE_PRESENT,
  type OfflineHandler,
  type OfflineRequest,
  type OfflineResult,
  type HostPlugin,
  type PteLocation,
  type PvPort,
} from '@pagevisor/core';

/** `DOMID_FIRST_RESERVED`: ids from here on are Xen's own. */
const DOMID_FIRST_RESERVED = 0x7ff0;

/**
 * `pv-exchange`: libxc's `xc_exchange_page` (Xen 4.1, `tools/libxc/xc_offline_page.c`), the way `xen-hptool mem-offline`
 * takes a frame away from a suspended PV guest, with its undo path and its three outcomes.
 *
 * @remarks
 * The steps: (1) the domain must be suspended; (2) exchangeable: PV, not dom0, not a reserved id, the
 * frame pending offline; (3) `gpfn = m2p[mfn]`, refusing an L3 table of a PAE guest on a larger host;
 * (4) refuse a frame the grant table grants; (5) unpin it if pinned; (6) back its content up; (7) clear
 * `_PAGE_PRESENT` in every PTE that maps it (MMU updates preserving A/D), recording them; (8)
 * `XENMEM_exchange` one page; (9) on failure restore the recorded PTEs (a failure there: −2); (10) on
 * success rewrite them to the new frame (a failure: −2, "guest may be broken now"); (11) the old frame
 * must now be offlined (if not: −2, where Xen returns −1 although the PTEs already point at the empty
 * new frame), then `p2m[gpfn] = new mfn` and the backup goes into the new frame: 0;
 * (12) re-pin if unpinned (a failure: −2). The domain is resumed afterwards, as xen-hptool does.
 * Results: 0 moved, −1 nothing changed, −2 the guest may be inconsistent.
 *
 * @example
 * ```ts
 * hv.pv.suspend(domid);
 * const { result, reason } = await new PvExchangeHandler().handle({ hypervisor: hv, mfn, domid, gfn, status });
 * ```
 */
export class PvExchangeHandler implements OfflineHandler {
  readonly name = 'pv-exchange';

  canHandle({ hypervisor, domid }: OfflineRequest): boolean {
    return hypervisor.pv?.pvDomain(domid) !== undefined;
  }

  async handle(request: OfflineRequest): Promise<OfflineResult> {
    const pv = request.hypervisor.pv!;
    const result = this.exchangePage(pv, request);
    if (pv.pvDomain(request.domid)?.suspended) pv.resumeDomain(request.domid);
    return result;
  }

  private exchangePage(pv: PvPort, { hypervisor, domid, mfn, gfn, status }: OfflineRequest): OfflineResult {
    const frame = `mfn 0x${mfn.toString(16)}`;
    // (1) suspended, (2) exchangeable
    if (!pv.pvDomain(domid)!.suspended) return fail(`domain ${domid} is not suspended (SHUTDOWN_suspend): suspend it first`);
    if (domid === 0 || domid >= DOMID_FIRST_RESERVED) return fail(`domain ${domid}'s pages are not exchangeable`);
    if ((status & PG_OFFLINE.PENDING) === 0 && (hypervisor.pageOffline!('query', mfn) & PG_OFFLINE_QUERY.OFFLINE_PENDING) === 0) return fail(`${frame} is not pending offline`);
    // (3) the gpfn; the PAE L3 case
    if (gfn < 0) return fail(`${frame} backs no gpfn of domain ${domid}`);
    const pinned = pv.pinnedLevel(domid, mfn);
    if (pinned === 3 && pv.pvDomain(domid)!.pae) return fail(`${frame} is an L3 table of a PAE guest on a larger host: it cannot be exchanged`);
    // (4) grants
    if (pv.isGranted(domid, mfn)) return fail(`${frame} is granted to another domain`);
    // (5) unpin, (6) back up
    if (pinned > 0) pv.unpin(domid, mfn);
    const backup = pv.readFrame(mfn);
    // (7) clear _PAGE_PRESENT in every PTE that maps the frame
    const cleared: Array<{ at: PteLocation; pte: number }> = [];
    try {
      for (const at of pv.ptesPointingTo(domid, mfn)) {
        const pte = pv.readPte(domid, at);
        pv.updatePte(domid, at, pte - PTE_PRESENT);
        cleared.push({ at, pte });
      }
    } catch (error) {
      return this.undo(pv, domid, cleared, pinned, mfn, `clearing a PTE failed: ${(error as Error).message}`);
    }
    // (8) exchange
    let fresh: number;
    try {
      fresh = pv.exchange(domid, mfn, gfn);
    } catch (error) {
      // (9) undo
      return this.undo(pv, domid, cleared, pinned, mfn, `XENMEM_exchange failed: ${(error as Error).message}`);
    }
    // (10) rewrite the PTEs to the new frame
    try {
      for (const { at, pte } of cleared) pv.updatePte(domid, at, fresh * PAGE_BYTES + (pte % PAGE_BYTES));
    } catch (error) {
      return { result: -2, reason: `rewriting a PTE to the new frame failed (${(error as Error).message}): the guest may be broken now` };
    }
    // (11) the old frame must be offlined; then the p2m and the content. By now the PTEs point at the
    // new, still empty frame, so a failure here leaves the guest inconsistent: -2. xc_exchange_page
    // (RELEASE-4.2.0 tools/libxc/xc_offline_page.c) returns -1 here, as if nothing had changed.
    if ((hypervisor.pageOffline!('query', mfn) & PG_OFFLINE_QUERY.OFFLINED) === 0) {
      return { result: -2, reason: `${frame} is not offlined after the exchange, and the page tables already point at the empty new frame: the guest may be broken now` };
    }
    pv.setP2m(domid, gfn, fresh);
    pv.writeFrame(fresh, backup);
    // (12) re-pin, at the table's new frame
    if (pinned > 0) {
      try {
        pv.pin(domid, fresh, pinned);
      } catch (error) {
        return { result: -2, reason: `re-pinning the L${pinned} table failed (${(error as Error).message}): the guest may be broken now` };
      }
    }
    return { result: 0 };
  }

  /** Step (9): the recorded PTEs get the old frame back, and the table its pin. */
  private undo(pv: PvPort, domid: number, cleared: Array<{ at: PteLocation; pte: number }>, pinned: number, mfn: number, why: string): OfflineResult {
    try {
      for (const { at, pte } of cleared) pv.updatePte(domid, at, pte);
      if (pinned > 0) pv.pin(domid, mfn, pinned);
    } catch (error) {
      return { result: -2, reason: `${why}; restoring the page tables failed too (${(error as Error).message}): the guest may be broken now` };
    }
    return fail(`${why}; the page tables were restored`);
  }
}

function fail(reason: string): OfflineResult {
  return { result: -1, reason };
}

/**
 * The pv-exchange handler as a plugin; register it before `migrateRequired()`.
 *
 * @example
 * ```ts
 * const offline = createOfflineManager({ hypervisor, handlers: [pvExchange(), hvmRelocate(), migrateRequired()] });
 * ```
 */
export function pvExchange(): HostPlugin {
  return {
    name: 'pv-exchange',
    register(container) {
      container.provide(OFFLINE_HANDLERS, new PvExchangeHandler());
    },
  };
}
