import type { ForeignMapping } from '@pagevisor/core';
import { GNTST_EAGAIN, P2mType, isGuestMemory } from '../sim/sim-constants.js';
import type { SimHypervisor } from '../sim/sim-hypervisor.js';
import { GuestOp, type Workload } from './workload.js';

/** Virtual nanoseconds one guest operation takes. */
export const OP_NANOS = 100;
/** Virtual time that passes while no vcpu can run, per check of the dead-pager watchdog. */
const WATCHDOG_TICK_NS = 1_000_000;
/** Checks without a watchdog verdict before the run gives up as stalled (a watchdog set very late). */
const MAX_STUCK_TICKS = 1000;

/**
 * How a run ended.
 *
 * @example
 * ```ts
 * const { ops, faults, stalled } = await new GuestRunner(hv, domid, workload).run(() => pager.settle());
 * ```
 */
export interface RunResult {
  /** Operations completed. */
  readonly ops: number;
  /** Times a vcpu had to stop on an operation (a fault on a paging gfn, ring full, copy retry). */
  readonly faults: number;
  /** True when no vcpu could run and nothing changed: the guest hung. */
  readonly stalled: boolean;
  /** Why the domain crashed during the run (the dead-pager watchdog), if it did. */
  readonly crashed: string | undefined;
  /** Virtual time at the end, in nanoseconds. */
  readonly time: number;
}

/**
 * Options of a {@link GuestRunner}.
 *
 * @example
 * ```ts
 * new GuestRunner(hv, domid, workload, { grantHoldOps: 16 });
 * ```
 */
export interface GuestRunnerOptions {
  /** Operations a backend keeps a grant mapping for (default 64). */
  readonly grantHoldOps?: number;
}

/**
 * Runs a {@link Workload} on a simulated domain's vcpus in virtual time: each vcpu takes the next
 * operation of the stream, and a vcpu that blocks (paused for a page-in, asleep for ring space) retries
 * the same operation once it can run. Deterministic: the same workload and pager give the same run.
 *
 * @example
 * ```ts
 * const runner = new GuestRunner(xen, guest.domid, zipfWorkload({ pages: 4096, accesses: 100_000, seed: 1 }));
 * const result = await runner.run(() => pager.settle()); // the pager answers between guest steps
 * ```
 */
export class GuestRunner {
  /** Virtual time in nanoseconds. */
  time = 0;
  private readonly ramGfns: Uint32Array;
  private readonly pending: Int32Array;
  private cursor = 0;
  private nextVcpu = 0;
  private completed = 0;
  private faults = 0;
  private readonly ballooned: number[] = [];
  private readonly grants: { mapping: ForeignMapping; until: number }[] = [];
  private readonly grantHoldOps: number;
  private stuckTicks = 0;

  /**
   * @param hv - the hypervisor
   * @param domid - the guest
   * @param workload - the stream; its page indexes are spread over the guest's RAM gfns
   */
  constructor(
    private readonly hv: SimHypervisor,
    private readonly domid: number,
    private readonly workload: Workload,
    options: GuestRunnerOptions = {},
  ) {
    const d = hv.domain(domid);
    const ram: number[] = [];
    for (const range of d.e820) if (range.type === 'ram') for (let gfn = range.start; gfn < range.end; gfn++) ram.push(gfn);
    this.ramGfns = Uint32Array.from(ram);
    this.pending = new Int32Array(d.vcpus).fill(-1);
    this.grantHoldOps = options.grantHoldOps ?? 64;
  }

  /** Whether every operation has completed. */
  get done(): boolean {
    return this.cursor >= this.workload.ops.length && this.pending.every((op) => op < 0);
  }

  /** The gfn a page index of the workload lands on. */
  gfnOf(page: number): number {
    return this.ramGfns[page % this.ramGfns.length]!;
  }

  /**
   * Runs one operation on the next vcpu that can run.
   *
   * @returns false when no vcpu could run (all blocked, or the stream is done)
   */
  step(): boolean {
    const d = this.hv.domain(this.domid);
    this.releaseGrants();
    for (let tried = 0; tried < d.vcpus; tried++) {
      const v = (this.nextVcpu + tried) % d.vcpus;
      this.hv.releaseSpin(this.domid, v);
      if (!d.runnable(v)) continue;
      let op = this.pending[v]!;
      if (op < 0) {
        if (this.cursor >= this.workload.ops.length) continue;
        op = this.cursor++;
      }
      this.nextVcpu = (v + 1) % d.vcpus;
      if (this.execute(v, op)) {
        this.pending[v] = -1;
        this.completed++;
        this.time += OP_NANOS;
      } else {
        this.pending[v] = op;
        this.faults++;
      }
      return true;
    }
    return false;
  }

  /**
   * Runs to the end of the stream, or until `maxOps` operations, awaiting `between` after each step
   * (give the pager its turn there). Stops as stalled when no vcpu can run even after `between` ran
   * twice.
   */
  async run(between: () => unknown = () => undefined, maxOps = Number.POSITIVE_INFINITY): Promise<RunResult> {
    const start = this.completed;
    let stalled = false;
    while (!this.done && this.completed - start < maxOps) {
      if (this.step()) {
        this.stuckTicks = 0;
        await between();
        continue;
      }
      await between();
      if (this.step()) continue;
      await between();
      if (this.step() || this.idleTick()) continue;
      // Nobody can run: time passes for the dead-pager watchdog, which resumes or crashes the domain.
      const d = this.hv.domain(this.domid);
      if (d.crashed === undefined) {
        this.time += WATCHDOG_TICK_NS;
        if (this.hv.watchdog(this.domid, this.time) !== 'crashed' && this.stuckTicks++ < MAX_STUCK_TICKS) continue;
      }
      stalled = d.crashed === undefined && !this.done;
      break;
    }
    return { ops: this.completed - start, faults: this.faults, stalled, crashed: this.hv.domain(this.domid).crashed, time: this.time };
  }

  /**
   * Near the end of a stream, vcpus with no work left sit idle while others hold a black-eye pause; Xen
   * wakes a blocked vcpu only when fewer vcpus are online than slots are free (`mem_event_wake_blocked`),
   * so the blocked ones would wait for an idle vcpu to fault. A real idle vcpu is not silent (timer
   * ticks, kernel work): here one touches the lowest paged-out gfn, which faults, takes a slot and lets
   * a blocked vcpu back on.
   *
   * @returns whether an idle vcpu faulted
   */
  private idleTick(): boolean {
    const d = this.hv.domain(this.domid);
    const idle = this.pending.findIndex((op, v) => op < 0 && d.runnable(v));
    const blocked = this.pending.some((op, v) => op >= 0 && d.blackEye[v] === 1);
    if (idle < 0 || !blocked) return false;
    const paged = d.p2mType.indexOf(P2mType.ram_paged);
    if (paged < 0) return false;
    this.time += OP_NANOS;
    return this.hv.guestAccess(this.domid, idle, paged, false) === 'blocked';
  }

  /** Runs one operation for vcpu `v`; false if the vcpu blocked and must retry it. */
  private execute(v: number, index: number): boolean {
    const hv = this.hv;
    const gfn = this.gfnOf(this.workload.targets[index]!);
    switch (this.workload.ops[index]) {
      case GuestOp.write:
        return hv.guestAccess(this.domid, v, gfn, true) === 'done';
      case GuestOp.balloonOut: {
        if (!isGuestMemory(hv.domain(this.domid).p2mType[gfn]!)) return true;
        if (this.grants.some((grant) => grant.mapping.gfn === gfn)) return true; // a granted page stays
        if (hv.decreaseReservation(this.domid, gfn, v)) this.ballooned.push(gfn);
        return true;
      }
      case GuestOp.balloonIn: {
        const back = this.ballooned.shift();
        if (back !== undefined) hv.populatePhysmap(this.domid, back);
        return true;
      }
      case GuestOp.grantMap: {
        if (!isGuestMemory(hv.domain(this.domid).p2mType[gfn]!)) return true;
        const mapping = hv.grantMap(this.domid, gfn, true);
        if (mapping === GNTST_EAGAIN) return false; // the backend retries, as netback/blkback do
        this.grants.push({ mapping, until: this.completed + this.grantHoldOps });
        return true;
      }
      case GuestOp.hvmCopy:
        return hv.hvmCopy(this.domid, v, gfn) === 'done';
      default:
        return hv.guestAccess(this.domid, v, gfn, false) === 'done';
    }
  }

  private releaseGrants(): void {
    while (this.grants.length > 0 && this.grants[0]!.until <= this.completed) {
      const { mapping } = this.grants.shift()!;
      this.hv.backendWrite(mapping); // the backend's I/O completes into the page, then it unmaps
      this.hv.unmapForeign(mapping);
    }
  }
}
