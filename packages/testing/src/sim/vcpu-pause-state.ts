import type { ReadonlyTypedArray } from './readonly-arrays.js';

/**
 * Why each vcpu of a domain cannot run: Xen's pause counts, the ring-space sleep, the black-eye pause
 * and the gfn it waits on. Paging pauses and wakes vcpus through it; the guest runner asks
 * {@link VcpuPauseState.runnable}.
 *
 * @example
 * ```ts
 * const guest = hv.createDomain({ maxPages: 4096, vcpus: 2 });
 * guest.runnable(0); // true: nothing pauses vcpu 0
 * ```
 */
export class VcpuPauseState {
  /** Number of vcpus. */
  readonly vcpus: number;
  /** @internal the writable arrays behind the views below: only the simulator's operations write them */
  readonly pause: {
    readonly count: Int32Array;
    readonly vmEvent: Int32Array;
    readonly ringSleep: Uint8Array;
    readonly blackEye: Uint8Array;
    readonly waitGfn: Int32Array;
  };
  /** Pauses of the whole domain by the toolstack (`controller_pause_count`). */
  controllerPauses = 0;

  /** @param vcpus - number of vcpus, all runnable */
  constructor(vcpus: number) {
    this.vcpus = vcpus;
    this.pause = {
      count: new Int32Array(vcpus),
      vmEvent: new Int32Array(vcpus),
      ringSleep: new Uint8Array(vcpus),
      blackEye: new Uint8Array(vcpus),
      waitGfn: new Int32Array(vcpus).fill(-1),
    };
  }

  /** `vcpu_pause` count per vcpu (VCPU_PAUSED of mem_event, black-eye pauses, the toolstack's pauses). */
  get pauseCount(): ReadonlyTypedArray<Int32Array> {
    return this.pause.count;
  }

  /** `vm_event_pause_count` per vcpu. */
  get vmEventPause(): ReadonlyTypedArray<Int32Array> {
    return this.pause.vmEvent;
  }

  /** 1 while the vcpu sleeps for ring space (4.1 `_VPF_mem_event`, 4.2+ wait queue). */
  get ringSleep(): ReadonlyTypedArray<Uint8Array> {
    return this.pause.ringSleep;
  }

  /** 1 while the vcpu holds a black-eye pause (`blocked`). */
  get blackEye(): ReadonlyTypedArray<Uint8Array> {
    return this.pause.blackEye;
  }

  /** The gfn a vcpu waits on (SUSE age 3 wait queue, or a spurious-fault spin on `paging_in`); −1 none. */
  get waitGfn(): ReadonlyTypedArray<Int32Array> {
    return this.pause.waitGfn;
  }

  /** Whether vcpu `v` can run: not paused, not asleep, not waiting on a gfn. */
  runnable(v: number): boolean {
    const p = this.pause;
    return p.count[v] === 0 && p.vmEvent[v] === 0 && p.ringSleep[v] === 0 && p.waitGfn[v] === -1;
  }
}
