import { ConfigError, VICTIM_POLICY, type PagevisorPlugin, type PolicyContext } from '@pagevisor/core';
import { TrackedPolicy } from './classic/tracked-policy.js';
import { IdLists } from './internal/id-lists.js';

const LIST = 1;
/** Pages nomination looks at before it settles for the coldest of them, so it costs O(1) however hot the guest is. */
const CANDIDATES = 32;

/**
 * Options of the access-timestamp policy.
 *
 * @example
 * ```ts
 * const pager = createPager({ hypervisor, domid, policy: accessTimestamp({ hotWindow: 5_000_000 }), store });
 * ```
 */
export interface AccessTimestampOptions {
  /**
   * A page accessed less than this long ago is hot and is not nominated (in the unit of the access
   * times: requests in trace simulation, the hypervisor's clock in a pager). Default 1000.
   */
  readonly hotWindow?: number;
}

/**
 * `access-timestamp`, the policy seed 003 proposed: every page carries the time of its last access
 * and an access tag.
 *
 * @remarks
 * Nomination clears the tag and skips hot pages (accessed within `hotWindow`), sweeping the resident
 * pages oldest first and sending hot ones to the back; when the 32 pages it looked at are all hot it
 * takes the coldest of them (the one accessed longest ago). A page whose tag is set again between its nomination and its
 * eviction was touched in that window (the seed's second race): {@link AccessTimestampPolicy.confirmEviction}
 * refuses it and the pager keeps it. 8 bytes of time, 1 of tag and 9 of list per page.
 *
 * @example
 * ```ts
 * const policy = new AccessTimestampPolicy(context, { hotWindow: 5_000_000 });
 * policy.notifyAccess(gfn, now);
 * policy.confirmEviction(gfn); // false: touched since it was nominated
 * ```
 */
export class AccessTimestampPolicy extends TrackedPolicy {
  readonly name = 'access-timestamp';
  readonly bytesPerPage = TrackedPolicy.BASE_BYTES + IdLists.BYTES_PER_ID + 9;
  private readonly lists: IdLists;
  private readonly lastAccess: Float64Array;
  private readonly tag: Uint8Array;
  private readonly hotWindow: number;
  private now = 0;

  /** @throws {@link @pagevisor/core!ConfigError | ConfigError} for a window that is not a positive number */
  constructor(context: PolicyContext, options: AccessTimestampOptions = {}) {
    super(context);
    this.hotWindow = options.hotWindow ?? 1000;
    if (!(this.hotWindow > 0)) throw new ConfigError('hotWindow', `hotWindow ${options.hotWindow} is not a positive number`);
    this.lists = new IdLists(context.maxPages, 1);
    this.lastAccess = new Float64Array(context.maxPages);
    this.tag = new Uint8Array(context.maxPages);
  }

  /** Whether `gfn` may go: not if its access tag was set since it was nominated. */
  confirmEviction(gfn: number): boolean {
    return this.tag[gfn] === 0;
  }

  /** Records the access (the tag too, for pages in flight), then does what the base does. */
  override notifyAccess(gfn: number, time: number): void {
    this.now = Math.max(this.now, time);
    this.lastAccess[gfn] = time;
    this.tag[gfn] = 1;
    super.notifyAccess(gfn, time);
  }

  protected touch(): void {}

  protected admit(gfn: number): void {
    this.lastAccess[gfn] = this.now;
    this.lists.pushHead(LIST, gfn);
  }

  protected evict(): number {
    const { lists, lastAccess } = this;
    let coldest = -1;
    for (let seen = Math.min(lists.size(LIST), CANDIDATES); seen > 0; seen--) {
      const gfn = lists.tail(LIST);
      if (this.now - lastAccess[gfn]! >= this.hotWindow) return this.nominate(gfn);
      if (coldest < 0 || lastAccess[gfn]! < lastAccess[coldest]!) coldest = gfn;
      lists.moveToHead(LIST, gfn);
    }
    return coldest < 0 ? -1 : this.nominate(coldest);
  }

  protected forget(gfn: number): void {
    this.lists.remove(gfn);
  }

  /** `clear_access_tag()`: nomination starts the window in which an access aborts the eviction. */
  private nominate(gfn: number): number {
    this.lists.remove(gfn);
    this.tag[gfn] = 0;
    return gfn;
  }
}

/**
 * The access-timestamp policy as a plugin.
 *
 * @example
 * ```ts
 * const pager = createPager({ hypervisor, domid, policy: accessTimestamp({ hotWindow: 5_000_000 }), store });
 * ```
 */
export function accessTimestamp(options: AccessTimestampOptions = {}): PagevisorPlugin {
  return {
    name: 'access-timestamp',
    register(container, context) {
      container.provide(VICTIM_POLICY, new AccessTimestampPolicy(context, options));
    },
  };
}
