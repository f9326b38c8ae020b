import type { PagingProtocol } from '../abi/paging-protocol.js';
import type { HypervisorPort } from '../hypervisor/hypervisor-port.js';

/**
 * What an offline handler is given: the frame, its owner, and where it sits in the owner.
 *
 * @example
 * ```ts
 * async handle({ hypervisor, mfn, domid, gfn }: OfflineRequest) { return { result: 0 }; } // once gfn's content is off mfn
 * ```
 */
export interface OfflineRequest {
  /** The hypervisor. */
  readonly hypervisor: HypervisorPort;
  /** The frame going offline. */
  readonly mfn: number;
  /** The domain that owns it. */
  readonly domid: number;
  /** The gfn it backs in that domain (from the M2P), or -1 if none. */
  readonly gfn: number;
  /** The status `offline` returned (`OWNED | PENDING | owner << 16`, perhaps `BROKEN`). */
  readonly status: number;
  /**
   * The protocol of the owner's paging ring, from the Xen backend of the pager that enabled it (one of
   * the manager's `pagers`); undefined when none of them pages the owner.
   */
  readonly pagingProtocol: PagingProtocol | undefined;
}

/**
 * What a handler did: `0` the frame's content moved and the frame is offlined, `-1` nothing changed
 * and the guest is intact, `-2` the guest may be inconsistent (xc_exchange_page's three outcomes), or
 * `declined` with a reason.
 *
 * @example
 * ```ts
 * const { result } = await offline.offlinePage(mfn);
 * if (result === -2) alert('the guest may be inconsistent');
 * ```
 */
export type OfflineOutcome = 0 | -1 | -2 | 'declined';

/**
 * A handler's answer.
 *
 * @example
 * ```ts
 * const outcome: OfflineResult = { result: -1, reason: 'the frame is granted' };
 * ```
 */
export interface OfflineResult {
  /** The outcome. */
  readonly result: OfflineOutcome;
  /** Why, in words (always given for -1, -2 and declined). */
  readonly reason?: string;
}

/**
 * Takes an owned frame away from its domain (seed 004). The manager asks each handler in turn,
 * and the first that can handle the request does.
 *
 * @example
 * ```ts
 * const quarantine: OfflineHandler = {
 *   name: 'quarantine',
 *   canHandle: (r) => r.domid === 7,
 *   handle: async () => ({ result: 'declined', reason: 'domain 7 is being drained' }),
 * };
 * ```
 */
export interface OfflineHandler {
  /** The handler's name (`pv-exchange`, `hvm-relocate`, `migrate-required`). */
  readonly name: string;
  /** Whether it can handle the request (a PV domain, paging enabled, ...). */
  canHandle(request: OfflineRequest): boolean;
  /** Moves the frame's content elsewhere and lets the frame go. */
  handle(request: OfflineRequest): Promise<OfflineResult>;
}
