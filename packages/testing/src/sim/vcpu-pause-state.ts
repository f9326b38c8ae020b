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
  /** `vcpu_pause` count per vcpu (VCPU_PAUSED of mem_event, black-eye pauses, the toolstack's pauses). */
  readonly pauseCount: Int32Array;
  /** `vm_event_pause_count` per vcpu. */
  readonly vmEventPause: Int32Array;
  /** 1 while the vcpu sleeps for ring space (4.1 `_VPF_mem_event`, 4.2+ wait queue). */
  readonly ringSleep: Uint8Array;
  /** 1 while the vcpu holds a black-eye pause (`blocked`). */
  readonly blackEye: Uint8Array;
  /** The gfn a vcpu waits on (SUSE age 3 wait queue, or a spurious-fault spin on `paging_in`); −1 none. */
  readonly waitGfn: Int32Array;
  /** Pauses of the whole domain by the toolstack (`controller_pause_count`). */
  controllerPauses = 0;

  /** @param vcpus - number of vcpus, all runnable */
  constructor(vcpus: number) {
    this.vcpus = vcpus;
    this.pauseCount = new Int32Array(vcpus);
    this.vmEventPause = new Int32Array(vcpus);
    this.ringSleep = new Uint8Array(vcpus);
    this.blackEye = new Uint8Array(vcpus);
    this.waitGfn = new Int32Array(vcpus).fill(-1);
  }

  /** Whether vcpu `v` can run: not paused, not asleep, not waiting on a gfn. */
  runnable(v: number): boolean {
    return this.pauseCount[v] === 0 && this.vmEventPause[v] === 0 && this.ringSleep[v] === 0 && this.waitGfn[v] === -1;
  }
}
