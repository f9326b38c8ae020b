import { HypervisorError } from '@pagevisor/core';
import type { ReadonlyTypedArray } from './readonly-arrays.js';
import { DOMID_INVALID, FrameState, INVALID_M2P_ENTRY, PageType } from './sim-constants.js';

/**
 * The simulated machine's frames, one slot per mfn in typed arrays: owner, reference count and
 * `PGC_allocated`, frame state and `PGC_broken`, page type and type count, the M2P entry, and what the
 * frame holds (the content of one gfn at one version, unless bytes were written into it).
 *
 * @remarks
 * `count_info` is split into `refs` (the reference count) and `allocated` (`PGC_allocated`); Xen's
 * nominate test `(count_info & (PGC_count_mask | PGC_allocated)) == (n | PGC_allocated)` becomes
 * `allocated[mfn] === 1 && refs[mfn] === n`. Offlined frames are never handed out again.
 *
 * @example
 * ```ts
 * const frames = hv.frames;
 * frames.state[mfn] === FrameState.offlined; // never handed out again
 * ```
 */
export class MachineFrames {
  /** Number of machine frames. */
  readonly size: number;
  /** @internal the writable tables behind the read-only views: only the simulator's operations write them */
  readonly tables: {
    readonly owner: Uint16Array;
    readonly refs: Uint32Array;
    readonly allocated: Uint8Array;
    readonly state: Uint8Array;
    readonly broken: Uint8Array;
    readonly type: Uint8Array;
    readonly typeCount: Uint16Array;
    readonly m2p: Int32Array;
    readonly contentGfn: Int32Array;
    readonly contentVersion: Uint32Array;
    readonly mapped: Uint16Array;
    readonly written: Map<number, Uint8Array>;
    readonly unscrubbed: Map<number, number>;
  };
  private readonly freeList: Int32Array;
  /** 1 while the frame is on the free list (an offlined frame can still be, until popped). */
  private readonly listed: Uint8Array;
  private freeCount: number;

  /** @param size - number of machine frames (at most 2^31 − 1) */
  constructor(size: number) {
    this.size = size;
    this.tables = {
      owner: new Uint16Array(size).fill(DOMID_INVALID),
      refs: new Uint32Array(size),
      allocated: new Uint8Array(size),
      state: new Uint8Array(size).fill(FrameState.free),
      broken: new Uint8Array(size),
      type: new Uint8Array(size),
      typeCount: new Uint16Array(size),
      m2p: new Int32Array(size).fill(INVALID_M2P_ENTRY),
      mapped: new Uint16Array(size),
      contentGfn: new Int32Array(size).fill(-1),
      contentVersion: new Uint32Array(size),
      written: new Map(),
      unscrubbed: new Map(),
    };
    // Hand out low frames first: the free list is a stack with mfn 0 on top.
    this.freeList = new Int32Array(size);
    for (let i = 0; i < size; i++) this.freeList[i] = size - 1 - i;
    this.listed = new Uint8Array(size).fill(1);
    this.freeCount = size;
  }

  /** Owning domain, or `DOMID_INVALID` for a free frame. */
  get owner(): ReadonlyTypedArray<Uint16Array> {
    return this.tables.owner;
  }

  /** Reference count (`count_info & PGC_count_mask`). */
  get refs(): ReadonlyTypedArray<Uint32Array> {
    return this.tables.refs;
  }

  /** 1 while `PGC_allocated` is set: the reference the owning domain's allocation holds. */
  get allocated(): ReadonlyTypedArray<Uint8Array> {
    return this.tables.allocated;
  }

  /** `PGC_state`: {@link FrameState}. */
  get state(): ReadonlyTypedArray<Uint8Array> {
    return this.tables.state;
  }

  /** 1 when `PGC_broken`. */
  get broken(): ReadonlyTypedArray<Uint8Array> {
    return this.tables.broken;
  }

  /** `PGT_*` type ({@link PageType}). */
  get type(): ReadonlyTypedArray<Uint8Array> {
    return this.tables.type;
  }

  /** Type reference count (`type_info & PGT_count_mask`). */
  get typeCount(): ReadonlyTypedArray<Uint16Array> {
    return this.tables.typeCount;
  }

  /** M2P: the gfn this frame backs, or `INVALID_M2P_ENTRY` (−1). */
  get m2p(): ReadonlyTypedArray<Int32Array> {
    return this.tables.m2p;
  }

  /** The gfn whose generated content the frame holds (−1: zeroed). */
  get contentGfn(): ReadonlyTypedArray<Int32Array> {
    return this.tables.contentGfn;
  }

  /** The version of that content. */
  get contentVersion(): ReadonlyTypedArray<Uint32Array> {
    return this.tables.contentVersion;
  }

  /** Foreign and grant mappings of each frame: the references the reference-count invariant allows besides the allocation. */
  get mapped(): ReadonlyTypedArray<Uint16Array> {
    return this.tables.mapped;
  }

  /** Frames whose bytes were written through a mapping: the bytes, in place of generated content. */
  get written(): ReadonlyMap<number, Uint8Array> {
    return this.tables.written;
  }

  /**
   * Free frames freed without a scrub (Xen 4.1's evict), with the seed of the domain whose content they
   * still hold: that content is what {@link SimHypervisor.frameBytes} reads until the frame is allocated
   * again (the simulator hands out zeroed frames; Xen would hand out the stale bytes, a leak).
   */
  get unscrubbed(): ReadonlyMap<number, number> {
    return this.tables.unscrubbed;
  }

  /** Frames on the free list. */
  get free(): number {
    return this.freeCount;
  }

  /**
   * Allocates a frame to `domid` with `PGC_allocated` and one reference (`alloc_domheap_page` +
   * `assign_pages`).
   *
   * @throws {@link @pagevisor/core!HypervisorError | HypervisorError} `ENOMEM` when no free frame is left.
   */
  allocate(domid: number): number {
    while (this.freeCount > 0) {
      const mfn = this.freeList[--this.freeCount]!;
      this.listed[mfn] = 0;
      if (this.tables.state[mfn] !== FrameState.free) continue; // offlined while on the list: never reused
      this.tables.owner[mfn] = domid;
      this.tables.refs[mfn] = 1;
      this.tables.allocated[mfn] = 1;
      this.tables.state[mfn] = FrameState.inuse;
      this.tables.type[mfn] = PageType.none;
      this.tables.typeCount[mfn] = 0;
      this.tables.contentGfn[mfn] = -1;
      this.tables.contentVersion[mfn] = 0;
      this.tables.written.delete(mfn);
      this.tables.unscrubbed.delete(mfn);
      return mfn;
    }
    throw new HypervisorError('ENOMEM', `no free machine frame for domain ${domid}`, { domid });
  }

  /** Takes a reference (`get_page`). */
  get(mfn: number): void {
    this.tables.refs[mfn]!++;
  }

  /**
   * Drops a reference (`put_page`); the last one frees the frame: M2P invalidated (seed 000 patches 6
   * and 7: Xen left it stale; `SimHypervisor` restores the stale entry when it reproduces that bug),
   * content scrubbed (unless `unscrubbedSeed` is given: then the content stays, see
   * {@link MachineFrames.unscrubbed}), and an offlining frame becomes offlined.
   *
   * @param unscrubbedSeed - the owner's seed, to free the frame without scrubbing it
   * @returns whether the frame was freed
   */
  put(mfn: number, unscrubbedSeed?: number): boolean {
    if (this.tables.refs[mfn] === 0) throw new Error(`put_page on mfn ${mfn} with no references`);
    if (--this.tables.refs[mfn]! > 0) return false;
    this.tables.owner[mfn] = DOMID_INVALID;
    this.tables.allocated[mfn] = 0;
    this.tables.m2p[mfn] = INVALID_M2P_ENTRY;
    if (unscrubbedSeed === undefined) {
      this.tables.contentGfn[mfn] = -1;
      this.tables.written.delete(mfn);
      this.tables.unscrubbed.delete(mfn);
    } else {
      this.tables.unscrubbed.set(mfn, unscrubbedSeed); // the content stays in the free frame (Xen 4.1's evict)
    }
    if (this.tables.state[mfn] === FrameState.offlining || this.tables.broken[mfn] === 1) {
      this.tables.state[mfn] = FrameState.offlined;
      return true;
    }
    this.tables.state[mfn] = FrameState.free;
    this.pushFree(mfn);
    return true;
  }

  /** `online_page` of an offlined frame: free again, and back on the free list. */
  online(mfn: number): void {
    this.tables.state[mfn] = FrameState.free;
    this.pushFree(mfn);
  }

  private pushFree(mfn: number): void {
    if (this.listed[mfn] === 1) return;
    this.listed[mfn] = 1;
    this.freeList[this.freeCount++] = mfn;
  }

  /**
   * Clears `PGC_allocated` and drops the reference it held (`test_and_clear_bit(_PGC_allocated)` +
   * `put_page`).
   *
   * @param unscrubbedSeed - as for {@link MachineFrames.put}
   * @returns whether the frame was freed
   */
  release(mfn: number, unscrubbedSeed?: number): boolean {
    if (this.tables.allocated[mfn] === 0) return false;
    this.tables.allocated[mfn] = 0;
    return this.put(mfn, unscrubbedSeed);
  }
}
