import { createPager, isPagevisorError, type ForeignMapping, type Pager, type PagevisorPlugin } from '@pagevisor/core';
import { SeededRandom } from '../sim/seeded-random.js';
import { GNTST_EAGAIN, P2mType, isGuestMemory } from '../sim/sim-constants.js';
import { SimHypervisor } from '../sim/sim-hypervisor.js';
import type { SimDomain } from '../sim/sim-domain.js';
import { InterleavedPort } from './interleaved-port.js';
import { interleavedStore } from './interleaved-store.js';
import { seededSchedule, type InterleaveAction } from './interleave-schedule.js';

/** Retries of one blocked guest access, with the pager settled between, before it counts as a hang. */
const MAX_RETRIES = 200;
/** Rounds of the end phase in which every blocked vcpu retries, the pager settled between. */
const DRAIN_ROUNDS = 50;
/** Virtual time per guest step. */
const STEP_MS = 1000;
/** Virtual time per round of the end phase: past any back-off the pager holds a page-in for. */
const DRAIN_ROUND_MS = 10 * 60_000;
/**
 * Virtual time the dead-pager watchdog allows without a response while vcpus wait on paging: above
 * the pager's longest back-off for memory that a `pressure` action can cause.
 */
const WATCHDOG_NS = 20 * 60_000 * 1e6;
/** Guest steps a `pause` or `pressure` action lasts at most. */
const MAX_HOLD_STEPS = 8;

const P2M_NAMES = new Map<number, string>(Object.entries(P2mType).map(([name, value]) => [value, name]));

/**
 * What went wrong in an interleaved run.
 *
 * - `hang`: a guest vcpu waits on a gfn nobody will answer (the pager is idle, the ring empty);
 * - `livelock`: a vcpu's access faults again after every answer, for ever;
 * - `content`: a page's content is not what the guest last wrote;
 * - `invariant`: the simulator's auditor found a broken invariant;
 * - `pager`: the pager failed (an error it did not survive);
 * - `watchdog`: the dead-pager watchdog fired although the pager runs (vcpus waited too long);
 * - `crash`: the domain was crashed (a p2m entry Xen would crash on).
 *
 * @example
 * ```ts
 * const problem: InterleaveProblem = { kind: 'hang', message: 'vcpu 1 waits on gfn 0x12 (ram_paging_in)', gfn: 0x12, vcpu: 1, p2m: 'ram_paging_in' };
 * ```
 */
export interface InterleaveProblem {
  /** Which kind of failure. */
  readonly kind: 'hang' | 'livelock' | 'content' | 'invariant' | 'pager' | 'watchdog' | 'crash';
  /** What happened, naming the gfn, its p2m state and the vcpu where there is one. */
  readonly message: string;
  /** The gfn at fault, if one is. */
  readonly gfn?: number;
  /** The blocked vcpu, if one is. */
  readonly vcpu?: number;
  /** The gfn's p2m type when the problem was found. */
  readonly p2m?: string;
}

/**
 * Options of {@link runInterleaved}.
 *
 * @example
 * ```ts
 * await runInterleaved({ abi: 'mem_event/age1', seed: 7, policy: xenpaging(), store: memoryStore() });
 * ```
 */
export interface InterleaveOptions {
  /** The paging ABI of the simulated Xen. */
  readonly abi: string;
  /** The seed: of the schedule (unless one is given), the guest's own steps, the guest and the pager. */
  readonly seed: number;
  /** The victim policy. */
  readonly policy: PagevisorPlugin;
  /** The page store (wrapped so the scheduler acts around every call). */
  readonly store: PagevisorPlugin;
  /** The actions to run, instead of the seed's (a shrunk or saved schedule). */
  readonly schedule?: readonly InterleaveAction[];
  /** Guest size in gfns (default 1024). */
  readonly pages?: number;
  /** Guest vcpus (default 4). */
  readonly vcpus?: number;
  /** Guest steps between the pager's turns (default 1500). */
  readonly steps?: number;
  /** Reproduce Xen's own bugs in the simulator (`SimHypervisor`'s `xenBugs`, default false). */
  readonly xenBugs?: boolean;
}

/**
 * How an interleaved run ended.
 *
 * @example
 * ```ts
 * const result = await runInterleaved(options);
 * if (!result.ok) console.log(result.problems[0]!.message, `(seed ${result.seed})`);
 * ```
 */
export interface InterleaveResult {
  /** True when no problem was found. */
  readonly ok: boolean;
  /** Every problem found, in the order found. */
  readonly problems: readonly InterleaveProblem[];
  /** The seed of the run. */
  readonly seed: number;
  /** The ABI of the run. */
  readonly abi: string;
  /** The schedule the run used. */
  readonly schedule: readonly InterleaveAction[];
  /** Points the run went through (calls the pager made, guest steps). */
  readonly points: number;
  /** Actions of the schedule that ran (the others fell past the run's last point). */
  readonly actionsRun: number;
  /** A digest of every call the pager made, in order, with its gfn: equal digests, equal runs. */
  readonly digest: number;
  /** How many of each pager event the run saw (`batch.delayed`, `page.evict-failed`, ...): what it exercised. */
  readonly eventCounts: Readonly<Record<string, number>>;
}

/**
 * Runs a pager on a simulated guest and lets the guest, backends and the toolstack act inside the
 * pager's batches: at every call the pager makes into the hypervisor and its store, the schedule's
 * actions for that point run (guest accesses and writes, balloon out and in, grant and foreign maps
 * held across the pager's calls, hypervisor copies, target changes, the toolstack pausing the domain,
 * memory pressure that makes page-ins fail with `ENOMEM`, the control domain's process changing vcpu).
 * The pager's clock is virtual (a second per guest step), so its back-off replays. Between points the guest runs
 * its own seeded accesses and the pager settles. Deterministic: the same options give the same run,
 * digest included.
 *
 * At the end every mapping is released, every blocked vcpu retries until it completes, the pager
 * stops gracefully, and the run checks that no vcpu is left waiting on a gfn nobody will answer, that
 * no access faults for ever, every page's content, the simulator's invariants, and that the domain was
 * not crashed.
 *
 * @example
 * ```ts
 * import { memoryStore } from '@pagevisor/storage';
 * import { xenpaging } from '@pagevisor/policies';
 *
 * const result = await runInterleaved({ abi: 'vm_event/v7', seed: 1, policy: xenpaging(), store: memoryStore() });
 * console.log(result.ok ? 'ok' : result.problems.map((p) => p.message).join('\n'));
 * ```
 */
export async function runInterleaved(options: InterleaveOptions): Promise<InterleaveResult> {
  const run = new InterleavedRun(options);
  return run.run();
}

class InterleavedRun {
  private readonly hv: SimHypervisor;
  private readonly d: SimDomain;
  private readonly port: InterleavedPort;
  private readonly pager: Pager;
  private readonly schedule: readonly InterleaveAction[];
  private readonly ram: Uint32Array;
  private readonly guestRandom: SeededRandom;
  /** The gfn each vcpu's unfinished access waits on (-1: none), whether it writes, and its retries. */
  private readonly pendingGfn: Int32Array;
  private readonly pendingWrite: Uint8Array;
  private readonly retries: Int32Array;
  private readonly held: ForeignMapping[] = [];
  private readonly ballooned: number[] = [];
  /** Domains holding every free frame (`pressure`), and the guest step they give them back at. */
  private readonly hogs: { readonly domids: number[]; readonly until: number }[] = [];
  /** Guest steps at which the toolstack's pauses end. */
  private readonly pausedUntil: number[] = [];
  private step = 0;
  /** The pager's clock: virtual, so back-off waits replay exactly. */
  private nowMs = 0;
  private readonly problems: InterleaveProblem[] = [];
  private point = 0;
  private next = 0;
  private actionsRun = 0;
  private digest = 0x811c9dc5;
  private readonly eventCounts: Record<string, number> = {};
  private inAction = false;

  constructor(private readonly options: InterleaveOptions) {
    const vcpus = options.vcpus ?? 4;
    const pages = options.pages ?? 1024;
    // A small machine, so that `pressure` takes its free frames in a few allocations.
    this.hv = new SimHypervisor({
      abi: options.abi,
      audit: true,
      xenBugs: options.xenBugs ?? false,
      machineFrames: 2 * pages + 1024,
      deadPager: { afterNs: WATCHDOG_NS, outcome: 'crash' },
    });
    this.d = this.hv.createDomain({ maxPages: pages, vcpus, seed: options.seed });
    this.schedule = [...(options.schedule ?? seededSchedule(options.seed, { vcpus }))].sort((a, b) => a.at - b.at);
    const ram: number[] = [];
    for (const range of this.d.e820) if (range.type === 'ram') for (let gfn = range.start; gfn < range.end; gfn++) ram.push(gfn);
    this.ram = Uint32Array.from(ram);
    this.guestRandom = new SeededRandom(options.seed ^ 0x5eed);
    this.pendingGfn = new Int32Array(vcpus).fill(-1);
    this.pendingWrite = new Uint8Array(vcpus);
    this.retries = new Int32Array(vcpus);
    this.port = new InterleavedPort(this.hv, (gfn) => this.at(gfn));
    this.pager = createPager({
      hypervisor: this.port,
      domid: this.d.domid,
      policy: options.policy,
      store: interleavedStore(options.store, () => this.at(-2)),
      clock: { now: () => this.nowMs },
      // No retry timer may fire during a run: the driver kicks the pager itself, so runs replay exactly.
      abi: options.abi,
      config: { seed: options.seed, retryIntervalMs: 60_000 },
    });
  }

  async run(): Promise<InterleaveResult> {
    this.pager.events$.subscribe({ next: (e) => (this.eventCounts[e.type] = (this.eventCounts[e.type] ?? 0) + 1), error: () => undefined });
    try {
      await this.pager.start();
      this.hv.setTarget(this.d.domid, this.ram.length >> 1);
      await this.pager.settle();
      const steps = this.options.steps ?? 1500;
      for (let step = 0; step < steps && this.problems.length === 0 && this.d.crashed === undefined; step++) {
        this.step = step;
        this.nowMs += STEP_MS;
        this.endHolds(step);
        this.at(-3);
        this.guestStep(step);
        await this.pager.settle();
        this.watchdog();
      }
      const going = (): boolean => this.problems.length === 0 && this.d.crashed === undefined;
      if (going()) await this.drain();
      if (going()) await this.pager.stop('graceful');
    } catch (error) {
      this.problem(isPagevisorError(error, 'INVARIANT') ? 'invariant' : 'pager', `the pager failed: ${error instanceof Error ? error.message : String(error)}`);
    }
    this.finalChecks();
    return {
      ok: this.problems.length === 0,
      problems: this.problems,
      seed: this.options.seed,
      abi: this.options.abi,
      schedule: this.schedule,
      points: this.point,
      actionsRun: this.actionsRun,
      digest: this.digest >>> 0,
      eventCounts: this.eventCounts,
    };
  }

  /** A point of the run: the schedule's actions for it run now. */
  private at(gfn: number): void {
    this.digest = Math.imul(this.digest ^ (gfn + 3), 0x01000193);
    if (this.inAction) return;
    const point = this.point++;
    this.inAction = true;
    try {
      // Under pressure the other domain also takes every frame freed since (its balloon inflating).
      if (this.hogs.length > 0 && this.hv.frames.free > 0) this.hogs[this.hogs.length - 1]!.domids.push(...this.hv.occupyFreeFrames());
      while (this.next < this.schedule.length && this.schedule[this.next]!.at < point) this.next++;
      while (this.next < this.schedule.length && this.schedule[this.next]!.at === point) {
        this.apply(this.schedule[this.next++]!);
        this.actionsRun++;
      }
    } finally {
      this.inAction = false;
    }
  }

  /** The guest's own step: vcpus retry what blocked, then one vcpu makes a seeded access. */
  private guestStep(step: number): void {
    this.retryBlocked();
    const v = step % this.d.vcpus;
    if (this.pendingGfn[v]! >= 0 || !this.d.runnable(v)) return;
    const gfn = this.ram[this.guestRandom.int(this.ram.length)]!;
    this.access(v, gfn, this.guestRandom.float() < 0.3);
  }

  private apply(a: InterleaveAction): void {
    const { hv, d } = this;
    const domid = d.domid;
    const v = a.vcpu % d.vcpus;
    const recent = a.recent ? this.port.recentGfn(a.pick) : -1;
    const gfn = recent >= 0 ? recent : this.ram[a.pick % this.ram.length]!;
    try {
      switch (a.op) {
        case 'access':
        case 'write':
          if (this.pendingGfn[v]! < 0 && d.runnable(v)) this.access(v, gfn, a.op === 'write');
          break;
        case 'hvmCopy':
          if (this.pendingGfn[v]! < 0 && d.runnable(v) && hv.hvmCopy(domid, v, gfn) === 'retry') this.block(v, gfn, true);
          break;
        case 'balloonOut':
          if (this.pendingGfn[v]! < 0 && d.runnable(v) && isGuestMemory(d.p2mType[gfn]!) && !this.held.some((m) => m.gfn === gfn)) {
            if (hv.decreaseReservation(domid, gfn, v)) this.ballooned.push(gfn);
          }
          break;
        case 'balloonIn': {
          const back = this.ballooned.shift();
          if (back !== undefined && d.p2mType[back] === P2mType.invalid) hv.populatePhysmap(domid, back);
          break;
        }
        case 'grantMap': {
          if (!isGuestMemory(d.p2mType[gfn]!)) break;
          const mapping = hv.grantMap(domid, gfn, true);
          if (mapping !== GNTST_EAGAIN) this.held.push(mapping);
          break;
        }
        case 'foreignMap':
          if (isGuestMemory(d.p2mType[gfn]!)) this.held.push(hv.mapForeign(domid, gfn, false));
          break;
        case 'release':
          this.releaseOne();
          break;
        case 'target':
          hv.setTarget(domid, Math.max(1, Math.floor((this.ram.length * (100 + (a.pick % 901))) / 1000)));
          break;
        case 'pause':
          hv.pauseDomain(domid);
          this.pausedUntil.push(this.step + 1 + (a.pick % MAX_HOLD_STEPS));
          break;
        case 'pressure':
          this.hogs.push({ domids: this.hv.occupyFreeFrames(), until: this.step + 1 + (a.pick % MAX_HOLD_STEPS) });
          break;
        case 'controlVcpu':
          hv.controlVcpu = a.pick % 8;
          break;
      }
    } catch (error) {
      if (isPagevisorError(error, 'INVARIANT')) throw error;
      // A refusal (ENOENT while paged, EINVAL) is the hypervisor's answer to the backend, not a failure.
      if (!isPagevisorError(error)) throw error;
    }
  }

  /**
   * The dead-pager watchdog must never fire for requests the pager holds: it is alive. With no request
   * outstanding, waiting vcpus are a hang nobody will answer, which the end of the run reports as such.
   */
  private watchdog(): void {
    const paging = this.d.paging;
    if (this.d.crashed !== undefined || paging === undefined || paging.front.freeRequests === paging.ring.slots) return;
    const action = this.hv.watchdog(this.d.domid, this.nowMs * 1e6);
    if (action !== 'none') this.problem('watchdog', `the dead-pager watchdog fired (${action}) for a live pager: vcpus waited on paging for ${WATCHDOG_NS / 60e9} virtual minutes with no response`);
  }

  /** Ends the pauses and the memory pressure due by guest step `step` (all of them when `step` is infinite). */
  private endHolds(step: number): void {
    for (let i = this.pausedUntil.length - 1; i >= 0; i--) {
      if (this.pausedUntil[i]! > step) continue;
      this.pausedUntil.splice(i, 1);
      this.hv.unpauseDomain(this.d.domid);
    }
    for (let i = this.hogs.length - 1; i >= 0; i--) {
      if (this.hogs[i]!.until > step) continue;
      for (const domid of this.hogs[i]!.domids) this.hv.destroyDomain(domid);
      this.hogs.splice(i, 1);
    }
  }

  private access(v: number, gfn: number, write: boolean): void {
    if (this.hv.guestAccess(this.d.domid, v, gfn, write) === 'blocked') this.block(v, gfn, write);
  }

  private block(v: number, gfn: number, write: boolean): void {
    this.pendingGfn[v] = gfn;
    this.pendingWrite[v] = write ? 1 : 0;
    this.retries[v] = 0;
  }

  /** Every blocked vcpu that may run again retries its access (a fault loop counts its retries). */
  private retryBlocked(): void {
    const { hv, d } = this;
    for (let v = 0; v < d.vcpus; v++) {
      const gfn = this.pendingGfn[v]!;
      if (gfn < 0) continue;
      hv.releaseSpin(d.domid, v);
      if (!d.runnable(v)) continue;
      if (hv.guestAccess(d.domid, v, gfn, this.pendingWrite[v] === 1) === 'done') {
        this.pendingGfn[v] = -1;
        continue;
      }
      if (++this.retries[v]! > MAX_RETRIES && this.problems.length === 0 && d.crashed === undefined) {
        this.problem('livelock', `vcpu ${v} faulted on gfn 0x${gfn.toString(16)} ${MAX_RETRIES} times, each fault answered, and the gfn stayed ${this.p2m(gfn)}`, gfn, v);
      }
    }
  }

  private releaseOne(): void {
    const mapping = this.held.shift();
    if (mapping === undefined) return;
    if (mapping.writable) this.hv.backendWrite(mapping); // the backend's I/O completes into the page
    this.hv.unmapForeign(mapping);
  }

  /** End of the run: backends finish, every blocked vcpu retries until done, the pager settled between. */
  private async drain(): Promise<void> {
    this.inAction = true; // no more schedule actions
    this.endHolds(Number.POSITIVE_INFINITY);
    while (this.held.length > 0) this.releaseOne();
    this.hv.setTarget(this.d.domid, this.ram.length);
    for (let round = 0; round < DRAIN_ROUNDS && this.pendingGfn.some((gfn) => gfn >= 0) && this.problems.length === 0 && this.d.crashed === undefined; round++) {
      this.nowMs += DRAIN_ROUND_MS;
      await this.pager.settle();
      this.retryBlocked();
      this.watchdog();
    }
    await this.pager.settle();
    for (let v = 0; v < this.d.vcpus; v++) {
      const gfn = this.pendingGfn[v]!;
      const d = this.d;
      if (gfn < 0 || this.problems.length > 0 || d.crashed !== undefined) continue;
      const why = d.ringSleep[v] ? 'asleep for a ring slot' : d.blackEye[v] ? 'black-eye paused' : d.vmEventPause[v]! > 0 ? 'vm_event-paused' : d.pauseCount[v]! > 0 ? 'paused' : d.waitGfn[v]! >= 0 ? 'spinning on the gfn' : 'runnable but faulting';
      this.problem('hang', `vcpu ${v} waits on gfn 0x${gfn.toString(16)} (${this.p2m(gfn)}, ${why}) with the pager idle and the ring empty: nobody will answer it`, gfn, v);
    }
  }

  private finalChecks(): void {
    const d = this.d;
    if (d.crashed !== undefined) this.problem('crash', `the domain was crashed: ${d.crashed}`);
    if (this.problems.length > 0) return;
    try {
      this.hv.auditor?.auditDomain(d, 'end of run');
    } catch (error) {
      this.problem('invariant', error instanceof Error ? error.message : String(error));
      return;
    }
    const { mismatches } = this.hv.contentMismatches(d.domid);
    for (const gfn of mismatches.slice(0, 4)) this.problem('content', `gfn 0x${gfn.toString(16)} (${this.p2m(gfn)}) does not hold what the guest last wrote`, gfn);
  }

  private p2m(gfn: number): string {
    return P2M_NAMES.get(this.d.p2mType[gfn]!) ?? `type ${this.d.p2mType[gfn]}`;
  }

  private problem(kind: InterleaveProblem['kind'], message: string, gfn?: number, vcpu?: number): void {
    this.problems.push({ kind, message, ...(gfn === undefined ? {} : { gfn, p2m: this.p2m(gfn) }), ...(vcpu === undefined ? {} : { vcpu }) });
  }
}
