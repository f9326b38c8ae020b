import { isPagevisorError, OFFLINE_HANDLERS, type OfflineHandler, type OfflineRequest, type OfflineResult, type HostPlugin } from '@pagevisor/core';

/**
 * `hvm-relocate`: moves an HVM guest's page off a failing frame through paging, which Xen never did
 * (its 2009 design told HVM owners to live-migrate, d06a984487): the gfn the frame backs is
 * nominated, copied and evicted, in xenpaging's order, so the frame is freed and, being `offlining`, becomes `offlined`; then the
 * gfn is paged straight back in with its content, into a fresh frame (the allocator never hands out an
 * offlined frame again).
 *
 * @remarks
 * It needs a pager on the domain (one of the manager's `pagers`), with an ABI whose prep loads the page and makes the gfn
 * usable at once (Xen 4.2 and later); the whole move runs without yielding, so neither the guest nor a
 * pager on the domain sees the gfn out. A gfn that is busy (mapped, granted) is refused by nominate or
 * evict: the result is −1 with nothing changed, and the frame stays `offline-pending` until its owner
 * frees it.
 *
 * @example
 * ```ts
 * const handler = new HvmRelocateHandler();
 * if (handler.canHandle(request)) await handler.handle(request); // { result: 0 }
 * ```
 */
export class HvmRelocateHandler implements OfflineHandler {
  readonly name = 'hvm-relocate';

  canHandle(request: OfflineRequest): boolean {
    const protocol = request.pagingProtocol;
    if (!request.hypervisor.domainInfo(request.domid).hvm || protocol === undefined || request.gfn < 0) return false;
    return protocol.prepLoadsBuffer && protocol.codeBase === '4.2';
  }

  async handle({ hypervisor, domid, gfn, mfn }: OfflineRequest): Promise<OfflineResult> {
    // xenpaging's order (xenpaging_evict_page): nominate, then map and copy, then evict. Once the gfn is
    // paging_out a guest write faults instead of landing after the copy, and evict then refuses.
    try {
      hypervisor.nominate(domid, gfn);
    } catch (error) {
      if (isPagevisorError(error, 'EBUSY') || isPagevisorError(error, 'EINVAL')) {
        return { result: -1, reason: `gfn 0x${gfn.toString(16)} of domain ${domid} is in use (${(error as Error).message}); mfn 0x${mfn.toString(16)} goes offline when it is freed` };
      }
      throw error;
    }
    const mapping = hypervisor.mapForeign(domid, gfn, false);
    const content = mapping.bytes.slice();
    hypervisor.unmapForeign(mapping);
    try {
      hypervisor.evict(domid, gfn);
    } catch (error) {
      if (!isPagevisorError(error, 'EBUSY')) throw error;
      // Nominated, not evicted: the next guest access returns it to ram_rw, as after EVICT_FAIL.
      return { result: -1, reason: `gfn 0x${gfn.toString(16)} was mapped between nominate and evict; nothing moved` };
    }
    hypervisor.prep(domid, gfn, content);
    return { result: 0 };
  }
}

/**
 * The hvm-relocate handler as a plugin for `createOfflineManager`.
 *
 * @example
 * ```ts
 * const offline = createOfflineManager({ hypervisor, handlers: [hvmRelocate(), migrateRequired()], pagers: [pager] });
 * ```
 */
export function hvmRelocate(): HostPlugin {
  return {
    name: 'hvm-relocate',
    register(container) {
      container.provide(OFFLINE_HANDLERS, new HvmRelocateHandler());
    },
  };
}
