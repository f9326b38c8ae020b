import { Subject, type Observable } from 'rxjs';
import { container as rootContainer } from 'tsyringe';
import type { PagingProtocol } from '../abi/paging-protocol.js';
import { OFFLINE_HANDLERS } from '../di/tokens.js';
import { OfflineError } from '../errors/offline-error.js';
import type { HypervisorPort } from '../hypervisor/hypervisor-port.js';
import { TsyringePluginContainer } from '../internal/di/tsyringe-plugin-container.js';
import type { Pager } from '../pager/pager.js';
import type { HostPlugin } from '../plugin/pagevisor-plugin.js';
import { XenPagingBackend } from '../xen/xen-paging-backend.js';
import type { OfflineHandler, OfflineOutcome, OfflineRequest, OfflineResult } from './offline-handler.js';
import { offlineOwner, PG_OFFLINE, queriedState, type PageOfflineOp } from './page-offline-status.js';

/**
 * What happened to one frame (also the event on {@link OfflineManager.offline$}).
 *
 * @example
 * ```ts
 * offline.offline$.subscribe(({ mfn, handler, result, frameStatus }) => console.log(mfn, handler, result, frameStatus));
 * ```
 */
export interface OfflineReport {
  /** The frame. */
  readonly mfn: number;
  /** The offline op's status word. */
  readonly status: number;
  /** The owner, if the frame was owned. */
  readonly domid?: number;
  /** The handler that acted, if the frame was owned and one could. */
  readonly handler?: string;
  /** The handler's outcome; absent for a frame no handler was needed for. */
  readonly result?: OfflineOutcome;
  /** Why, for a failure or a decline. */
  readonly reason?: string;
  /** The frame's state afterwards, as a query reports it. */
  readonly frameStatus: 'offlined' | 'offline-pending' | 'broken' | 'online';
}

/**
 * Takes machine frames offline (seed 004): `offline` through the hypervisor, and when a domain owns the
 * frame, the first registered handler that can handle it moves the content away (a PV exchange, an
 * HVM relocation through paging) or declines with a reason.
 *
 * @remarks
 * `offline$` emits one {@link OfflineReport} per {@link OfflineManager.offlinePage}; it never errors
 * and completes on {@link OfflineManager.close}. Handlers come from `OFFLINE_HANDLERS`, in
 * registration order. A handler that works through paging learns the owner's ring protocol from the
 * Xen backend of the pager paging it, among `pagers`.
 *
 * @example
 * ```ts
 * import { createOfflineManager } from '@pagevisor/core';
 * import { hvmRelocate, migrateRequired, pvExchange } from '@pagevisor/offline';
 *
 * const offline = createOfflineManager({ hypervisor, handlers: [pvExchange(), hvmRelocate(), migrateRequired()] });
 * const report = await offline.offlinePage(0x1234); // { handler: 'hvm-relocate', result: 0, frameStatus: 'offlined', ... }
 * ```
 */
export class OfflineManager {
  private readonly reports = new Subject<OfflineReport>();
  private closed = false;

  /** One report per offline attempt. */
  readonly offline$: Observable<OfflineReport> = this.reports.asObservable();

  /**
   * @param hypervisor - the Xen port
   * @param handlers - asked in this order
   * @param pagers - the pagers running on this hypervisor's domains
   */
  constructor(
    private readonly hypervisor: HypervisorPort,
    private readonly handlers: readonly OfflineHandler[],
    private readonly pagers: readonly Pager[] = [],
  ) {}

  /**
   * Offlines `mfn`: a free frame goes offline at once; an owned one through a handler.
   *
   * @throws {@link HypervisorError} from the sysctl (`EINVAL`, `EPERM`)
   * @throws {@link OfflineError} `OFFLINE_UNSUPPORTED` for a hypervisor without the sysctl,
   * `OFFLINE_HANDLER` when a handler throws (its error is the `cause`), `OFFLINE_CLOSED` after {@link OfflineManager.close}
   */
  async offlinePage(mfn: number): Promise<OfflineReport> {
    if (this.closed) throw new OfflineError('OFFLINE_CLOSED', `cannot offline mfn 0x${mfn.toString(16)}: the offline manager is closed`, { mfn });
    const status = this.sysctl('offline', mfn);
    let report: OfflineReport;
    if ((status & PG_OFFLINE.OWNED) !== 0 && (status & PG_OFFLINE.PENDING) !== 0) {
      const domid = offlineOwner(status);
      const request = { hypervisor: this.hypervisor, mfn, domid, gfn: this.hypervisor.frameOwner?.(mfn)?.gfn ?? -1, status, pagingProtocol: this.pagingProtocol(domid) };
      const handler = this.handlers.find((candidate) => candidate.canHandle(request));
      const outcome = handler ? await this.handle(handler, request) : { result: 'declined' as const, reason: 'no offline handler is registered for this frame' };
      report = { mfn, status, domid, handler: handler?.name, ...outcome, frameStatus: this.frameStatus(mfn) };
    } else {
      report = { mfn, status, frameStatus: this.frameStatus(mfn) };
    }
    this.reports.next(report);
    return report;
  }

  /** Brings an offlined or offlining frame back (`online`); returns the status word. */
  onlinePage(mfn: number): number {
    return this.sysctl('online', mfn);
  }

  /** `query_page_offline` for `mfn`; returns the status word. */
  queryPage(mfn: number): number {
    return this.sysctl('query', mfn);
  }

  /** Completes `offline$`; later offline requests fail with `OFFLINE_CLOSED`. */
  close(): void {
    this.closed = true;
    this.reports.complete();
  }

  private async handle(handler: OfflineHandler, request: OfflineRequest): Promise<OfflineResult> {
    try {
      return await handler.handle(request);
    } catch (error) {
      const mfn = request.mfn;
      throw new OfflineError('OFFLINE_HANDLER', `offline handler ${handler.name} failed on mfn 0x${mfn.toString(16)} of domain ${request.domid}: ${error instanceof Error ? error.message : String(error)}`, {
        mfn,
        handler: handler.name,
        cause: error,
      });
    }
  }

  /** The protocol of `domid`'s paging ring, from the Xen backend of the pager that pages it, if any. */
  private pagingProtocol(domid: number): PagingProtocol | undefined {
    for (const { backend } of this.pagers) if (backend instanceof XenPagingBackend && backend.domid === domid && backend.ringProtocol !== undefined) return backend.ringProtocol;
    return undefined;
  }

  private frameStatus(mfn: number): OfflineReport['frameStatus'] {
    return queriedState(this.queryPage(mfn));
  }

  private sysctl(op: PageOfflineOp, mfn: number): number {
    if (!this.hypervisor.pageOffline) throw new OfflineError('OFFLINE_UNSUPPORTED', `cannot ${op} mfn 0x${mfn.toString(16)}: this hypervisor has no page-offline sysctl (pageOffline)`, { mfn });
    return this.hypervisor.pageOffline(op, mfn);
  }
}

/**
 * What {@link createOfflineManager} needs.
 *
 * @example
 * ```ts
 * createOfflineManager({ hypervisor, handlers: [pvExchange(), hvmRelocate(), migrateRequired()], pagers: [pager] });
 * ```
 */
export interface CreateOfflineManagerOptions {
  /** The hypervisor. */
  readonly hypervisor: HypervisorPort;
  /** Handler plugins (each registers `OFFLINE_HANDLERS`), asked in this order. */
  readonly handlers: readonly HostPlugin[];
  /**
   * The pagers running on the hypervisor's domains: a handler that works through paging (`hvm-relocate`)
   * acts only on a domain one of them pages, with the protocol its Xen backend negotiated.
   */
  readonly pagers?: readonly Pager[];
}

/**
 * Builds an {@link OfflineManager}: the handler plugins registered in a child container of their own, and the pagers whose domains it may move pages of through paging.
 *
 * @example
 * ```ts
 * const pager = createPager({ hypervisor, domid, policy: xenpaging(), store: memoryStore() });
 * await pager.start();
 * const offline = createOfflineManager({ hypervisor, handlers: [pvExchange(), hvmRelocate(), migrateRequired()], pagers: [pager] });
 * const report = await offline.offlinePage(mfn); // hvm-relocate moves the page of a domain the pager pages
 * ```
 */
export function createOfflineManager(options: CreateOfflineManagerOptions): OfflineManager {
  const plugins = new TsyringePluginContainer(rootContainer.createChildContainer());
  for (const plugin of options.handlers) plugin.register(plugins);
  return new OfflineManager(options.hypervisor, plugins.resolveAll(OFFLINE_HANDLERS), options.pagers);
}
