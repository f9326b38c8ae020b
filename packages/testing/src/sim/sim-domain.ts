import { BehaviorSubject, type Observable } from 'rxjs';
import { hvmE820, type E820Entry } from './e820.js';
import type { MachineFrames } from './machine-frames.js';
import type { DomainPaging } from './domain-paging.js';
import type { DirtyLog } from '../internal/sim/dirty-log.js';
import { VcpuPauseState } from './vcpu-pause-state.js';
import type { ReadonlyTypedArray } from './readonly-arrays.js';
import { INVALID_MFN, P2mType } from './sim-constants.js';

/**
 * How to create a simulated domain.
 *
 * @example
 * ```ts
 * hv.createDomain({ maxPages: 4096, vcpus: 4, seed: 7, cpuVendor: 'amd' });
 * ```
 */
export interface SimDomainConfig {
  /** Size of the guest-physical address space in pages (gfns `[0, maxPages)`), at most 2^24. */
  readonly maxPages: number;
  /** Number of vcpus (default 2). */
  readonly vcpus?: number;
  /** Seed of the page contents (default 1). */
  readonly seed?: number;
  /** HVM guest (default true); paging refuses PV guests with ENODEV. */
  readonly hvm?: boolean;
  /** Hardware-assisted paging (default true); without it enable fails with ENODEV. */
  readonly hap?: boolean;
  /** CPU vendor (default intel); Xen 4.1 (ages 1–2 and SUSE age 3) pages only on Intel EPT. */
  readonly cpuVendor?: 'intel' | 'amd';
  /** IOMMU passthrough in use (4.2+ enable: EMLINK). */
  readonly iommuPassthrough?: boolean;
  /** Populate-on-demand active (enable: EXDEV). */
  readonly populateOnDemand?: boolean;
  /**
   * Create it empty, as a restore or an incoming migration does (default false): no RAM populated;
   * its pages arrive through {@link SimHypervisor.restorePage} and the other restore calls.
   */
  readonly empty?: boolean;
}

/**
 * Largest gfn space the simulator accepts: 16 M pages, a 64 GiB guest.
 *
 * @example
 * ```ts
 * hv.createDomain({ maxPages: MAX_SIM_PAGES }); // a 64 GiB guest, the largest
 * ```
 */
export const MAX_SIM_PAGES = 1 << 24;

const DEFAULT_VCPUS = 2;

/**
 * One simulated domain: its p2m as typed arrays indexed by gfn, the logical content version of every
 * gfn, its vcpus' pause state, and its paging state once enabled.
 *
 * @remarks
 * `version[gfn]` is the truth the invariant auditor checks content against: it changes only when the
 * guest writes, never because of paging. The arrays are read-only views: the domain changes only
 * through the simulator's operations ({@link SimHypervisor}), which keep Xen's invariants.
 *
 * @example
 * ```ts
 * const guest = hv.createDomain({ maxPages: 4096, vcpus: 2 });
 * guest.p2mType[100]; // P2mType.ram_rw
 * ```
 */
export class SimDomain extends VcpuPauseState {
  /** The domain id. */
  readonly domid: number;
  /** gfns are `[0, maxPages)`. */
  readonly maxPages: number;
  /** Seed of the page contents. */
  readonly seed: number;
  /** The creation settings, defaults applied. */
  readonly config: Required<SimDomainConfig>;
  /** @internal the writable arrays behind `p2mMfn`, `p2mType` and `version`: only the simulator's operations write them */
  readonly p2m: { readonly mfn: Int32Array; readonly type: Uint8Array; readonly version: Uint32Array };
  /** The E820 map. */
  readonly e820: readonly E820Entry[];
  /** The domain's memory target in pages (`memory/target-tot_pages`), now and on every change. */
  readonly target$: Observable<number>;
  private readonly target = new BehaviorSubject(0);
  /** Paging state; undefined until paging is enabled. */
  paging: DomainPaging | undefined;
  /** @internal the log-dirty bitmap while log-dirty mode is on (see {@link SimHypervisor.enableLogDirty}) */
  dirtyLog: DirtyLog | undefined;
  /** `d->paged_pages`: gfns paged out with no frame. */
  pagedPages = 0;
  /** `d->tot_pages`: frames the domain holds with `PGC_allocated`. */
  totPages = 0;
  /** Set by `domain_crash`: a populate with no ring, a pager that stopped answering. */
  crashed: string | undefined;
  /** The machine's frames. */
  readonly frames: MachineFrames;

  /** @internal use {@link SimHypervisor.createDomain} */
  constructor(domid: number, config: SimDomainConfig, frames: MachineFrames) {
    super(config.vcpus ?? DEFAULT_VCPUS);
    this.domid = domid;
    this.config = {
      vcpus: DEFAULT_VCPUS,
      seed: 1,
      hvm: true,
      hap: true,
      cpuVendor: 'intel',
      iommuPassthrough: false,
      populateOnDemand: false,
      empty: false,
      ...config,
    };
    this.maxPages = config.maxPages;
    this.seed = this.config.seed;
    this.frames = frames;
    this.p2m = {
      mfn: new Int32Array(this.maxPages).fill(INVALID_MFN),
      type: new Uint8Array(this.maxPages).fill(P2mType.invalid),
      version: new Uint32Array(this.maxPages),
    };
    this.e820 = hvmE820(this.maxPages);
    this.target$ = this.target.asObservable();
  }

  /** p2m: the frame behind each gfn, or `INVALID_MFN` (−1). */
  get p2mMfn(): ReadonlyTypedArray<Int32Array> {
    return this.p2m.mfn;
  }

  /** p2m: each gfn's type, in the simulator's numbering ({@link P2mType}). */
  get p2mType(): ReadonlyTypedArray<Uint8Array> {
    return this.p2m.type;
  }

  /** Logical content version of each gfn; the guest bumps it on every write. */
  get version(): ReadonlyTypedArray<Uint32Array> {
    return this.p2m.version;
  }

  /** The memory target now, in pages. */
  get targetPages(): number {
    return this.target.value;
  }

  /** @internal use {@link SimHypervisor.setTarget} */
  setTarget(pages: number): void {
    this.target.next(pages);
  }

  /** @internal the domain is destroyed: `target$` completes */
  endTarget(): void {
    this.target.complete();
  }

  /** Allocates and maps a frame for `gfn` as `ram_rw` (boot, `populate_physmap`). */
  populateGfn(gfn: number): number {
    const mfn = this.frames.allocate(this.domid);
    this.totPages++;
    this.p2m.mfn[gfn] = mfn;
    this.p2m.type[gfn] = P2mType.ram_rw;
    const frames = this.frames.tables;
    frames.m2p[mfn] = gfn;
    frames.contentGfn[mfn] = gfn;
    frames.contentVersion[mfn] = this.p2m.version[gfn]!;
    return mfn;
  }
}
