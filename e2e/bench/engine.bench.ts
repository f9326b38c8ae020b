/**
 * Benchmark: the engine alone, over a null backend. Writes `bench-results/engine.json`.
 *
 * The backend holds no memory: its faults are already queued (always on pages the engine holds out),
 * populate and evict cost nothing, and the store is the memory store. Each round queues one backend
 * batch of faults and settles the pager, which pages them in and, to hold the target, evicts as many:
 * one eviction per fault in the steady state. `faultsPerSecond` is the median of 5 runs.
 *
 * Baseline, in the same run: the work the engine cannot avoid for one fault and one eviction, done in a
 * plain loop with the same policy and store objects (a store read and delete, a policy page-in, a victim
 * choice, a store write, a policy page-out). The ratio says what the engine itself costs. Beneath both,
 * the two page copies per fault alone: what memory bandwidth leaves for any engine over this store.
 *
 * Beside them, the same engine on the simulated Xen: the CLI's default guest with one vcpu (the
 * round trip of a single fault, which no batching hides) and with 64, each with the share of its CPU
 * time spent in the simulator's content model (generating and comparing page bytes), measured with the
 * V8 sampling profiler.
 *
 * Run: `pnpm --filter @pagevisor/e2e bench` (after `pnpm build`), or `pnpm bench`.
 */
import 'reflect-metadata';
import { BehaviorSubject, Subject } from 'rxjs';
import {
  createPager,
  EVICT_DONE,
  PAGE_STORE,
  POPULATED,
  VICTIM_POLICY,
  type BackendCapabilities,
  type FaultBatch,
  type PageStore,
  type PagingBackend,
  type PluginContainer,
  type VictimPolicy,
} from '@pagevisor/core';
import { xenpaging } from '@pagevisor/policies';
import { memoryStore } from '@pagevisor/storage';
import { median, writeBenchResults } from '../../bench/bench-results.js';
import { simXenRun } from './sim-xen-profile.js';

const RUNS = 5;
const PAGES = 1 << 16;
const FAULTS = 2_000_000;
const BATCH = 64;

/** A backend with no memory behind it: what is left is the engine's own cost. */
class NullBackend implements PagingBackend {
  readonly pageCount = PAGES;
  readonly memoryName = 'null';
  readonly capabilities: BackendCapabilities = { maxBatch: BATCH, refusesEviction: false, accesses: 'none', dirtyTracking: false, zeroPages: false, startsAbsent: false, prefetch: true };
  readonly info = { name: 'null' };
  readonly activity$ = new Subject<void>();
  readonly target$ = new BehaviorSubject<number>(PAGES);
  /** Pages out, for O(1) choice of the next fault, and each page's index in it (-1: resident). */
  private readonly out = new Uint32Array(PAGES);
  private outCount = 0;
  private readonly at = new Int32Array(PAGES).fill(-1);
  private queued = 0;
  private seed = 1;

  open(): void {}
  close(): void {}
  residentPages(): number {
    return PAGES - this.outCount;
  }
  /** Queues `n` faults for the next drains. */
  queue(n: number): void {
    this.queued += n;
    this.activity$.next();
  }
  drainFaults(into: FaultBatch): number {
    const n = Math.min(this.queued, BATCH, this.outCount);
    for (let i = 0; i < n; i++) {
      this.seed = (Math.imul(this.seed, 1103515245) + 12345) >>> 0;
      into.pages[i] = this.out[this.seed % this.outCount]!;
      into.flags[i] = 0;
      into.who[i] = 0;
      into.ids[i] = i;
    }
    this.queued -= n;
    return n;
  }
  populate(pages: Uint32Array, count: number, _bytes: Uint8Array, outcome: Uint8Array): void {
    for (let i = 0; i < count; i++) {
      this.resident(pages[i]!);
      outcome[i] = POPULATED;
    }
  }
  completeFaults(): void {}
  requestPageIn(): void {}
  prepareEviction(_pages: Uint32Array, count: number): number {
    return count;
  }
  commitEviction(pages: Uint32Array, count: number, _bytes: Uint8Array, outcome: Uint8Array): void {
    for (let i = 0; i < count; i++) {
      if (outcome[i] !== 0) continue;
      const page = pages[i]!;
      this.at[page] = this.outCount;
      this.out[this.outCount++] = page;
      outcome[i] = EVICT_DONE;
    }
  }
  abandonEviction(): void {}

  private resident(page: number): void {
    const i = this.at[page]!;
    if (i < 0) return;
    const last = this.out[--this.outCount]!;
    this.out[i] = last;
    this.at[last] = i;
    this.at[page] = -1;
  }
}

async function engineFaultsPerSecond(): Promise<number> {
  const backend = new NullBackend();
  const pager = createPager({ backend, policy: xenpaging(), store: memoryStore() });
  await pager.start();
  backend.target$.next(PAGES / 2);
  await pager.settle();
  const before = pager.stats.faults;
  const start = performance.now();
  while (pager.stats.faults - before < FAULTS) {
    backend.queue(BATCH);
    await pager.settle();
  }
  const seconds = (performance.now() - start) / 1000;
  const served = pager.stats.faults - before;
  if (pager.stats.evictions < served) throw new Error('the steady state should evict once per fault');
  await pager.stop('hard');
  return served / seconds;
}

/** The same policy and store work per fault, with no engine: read + delete, page-in, choose, write, page-out. */
async function baselineFaultsPerSecond(): Promise<number> {
  const context = { memoryName: 'null', maxPages: PAGES, neverEvict: new Uint8Array(PAGES), seed: 1 };
  // A plugin container that is a map: enough for one policy and one store.
  const registered = new Map<symbol, unknown>();
  const container: PluginContainer = {
    provide: (token, value) => void registered.set(token, value),
    provideAll: (token, values) => void registered.set(token, values.at(-1)),
    resolve: <T>(token: symbol) => registered.get(token) as T,
    resolveAll: <T>(token: symbol) => (registered.has(token) ? [registered.get(token) as T] : []),
    has: (token) => registered.has(token),
  };
  xenpaging().register(container, context);
  memoryStore().register(container, context);
  const policy = container.resolve<VictimPolicy>(VICTIM_POLICY);
  const store = container.resolve<PageStore>(PAGE_STORE);
  const page = new Uint8Array(4096 * BATCH);
  const gfns = new Uint32Array(BATCH);
  const victims = new Uint32Array(BATCH);
  const out = new Uint8Array(PAGES);
  // Half the pages out, as in the engine's steady state.
  for (let g = 0; g < PAGES; g += 2) {
    out[g] = 1;
    policy.notifyPagedOut(g);
    gfns[0] = g;
    await store.writeBatch(gfns, page, 1);
  }
  let seed = 1;
  let done = 0;
  const start = performance.now();
  while (done < FAULTS) {
    let n = 0;
    while (n < BATCH) {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      const g = seed % PAGES;
      if (out[g] === 1 && gfns.subarray(0, n).indexOf(g) < 0) gfns[n++] = g;
    }
    await store.readBatch(gfns, n, page);
    await store.deleteBatch(gfns, n);
    for (let i = 0; i < n; i++) {
      out[gfns[i]!] = 0;
      policy.notifyPagedIn(gfns[i]!, true);
    }
    const chosen = policy.chooseVictims(n, victims);
    await store.writeBatch(victims, page, chosen);
    for (let i = 0; i < chosen; i++) {
      out[victims[i]!] = 1;
      policy.notifyPagedOut(victims[i]!);
    }
    done += n;
  }
  return done / ((performance.now() - start) / 1000);
}

/**
 * The floor under both: per fault, the two 4 KiB copies a memory store cannot avoid (the page read out
 * of a random slot of a store as large as the steady state's, half the pages; the victim written into
 * the slot that page-in freed), with nothing else.
 */
function copiesFaultsPerSecond(): number {
  const held = PAGES / 2;
  const slab = new Uint8Array(held * 4096);
  const batch = new Uint8Array(BATCH * 4096);
  const slots = new Uint32Array(BATCH);
  let seed = 1;
  const start = performance.now();
  for (let done = 0; done < FAULTS; done += BATCH) {
    for (let i = 0; i < BATCH; i++) {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      slots[i] = seed % held;
      batch.set(slab.subarray(slots[i]! * 4096, slots[i]! * 4096 + 4096), i * 4096);
    }
    // The victims go into the slots the page-ins freed, as the store's free-slot stack hands them out.
    for (let i = 0; i < BATCH; i++) slab.set(batch.subarray(i * 4096, i * 4096 + 4096), slots[BATCH - 1 - i]! * 4096);
  }
  return FAULTS / ((performance.now() - start) / 1000);
}

const engine: number[] = [];
const baseline: number[] = [];
const copies: number[] = [];
for (let r = 0; r < RUNS; r++) {
  engine.push(await engineFaultsPerSecond());
  baseline.push(await baselineFaultsPerSecond());
  copies.push(copiesFaultsPerSecond());
}
const oneVcpu = [];
const manyVcpus = [];
for (let r = 0; r < RUNS; r++) {
  oneVcpu.push(await simXenRun(1, 100_000));
  manyVcpus.push(await simXenRun(64, 200_000));
}
const medianRun = (runs: Awaited<ReturnType<typeof simXenRun>>[]) => {
  const sorted = [...runs].sort((a, b) => a.faultsPerSecond - b.faultsPerSecond);
  const m = sorted[Math.floor(sorted.length / 2)]!;
  return { faultsPerSecond: Math.round(m.faultsPerSecond), faults: m.faults, contentModelShare: +m.contentModelShare.toFixed(3) };
};
const simulatedXen = { oneVcpu: medianRun(oneVcpu), vcpus64: medianRun(manyVcpus) };
console.log(
  `simulated Xen: one vcpu ${(simulatedXen.oneVcpu.faultsPerSecond / 1e3).toFixed(0)} K faults/s (content model ${(simulatedXen.oneVcpu.contentModelShare * 100).toFixed(0)}%), 64 vcpus ${(simulatedXen.vcpus64.faultsPerSecond / 1e3).toFixed(0)} K/s (content model ${(simulatedXen.vcpus64.contentModelShare * 100).toFixed(0)}%)`,
);
const faultsPerSecond = Math.round(median(engine));
const baselinePerSecond = Math.round(median(baseline));
const copiesPerSecond = Math.round(median(copies));
console.log(`engine over a null backend: ${(faultsPerSecond / 1e6).toFixed(2)} M faults/s (one eviction each); baseline loop ${(baselinePerSecond / 1e6).toFixed(2)} M/s; ratio ${(faultsPerSecond / baselinePerSecond).toFixed(2)}; the two page copies alone ${(copiesPerSecond / 1e6).toFixed(2)} M/s`);
const out = writeBenchResults('engine', {
  method: `Medians of ${RUNS} runs, alternating. Engine: createPager over a null backend (${PAGES} pages, target half, faults already queued on pages the engine holds out, populate and evict free, batches of ${BATCH}), the xenpaging policy and the memory store; ${FAULTS} faults per run, each paged in and answered with one eviction to hold the target. Baseline: the same policy and store calls per fault in a plain loop (store read and delete, policy page-in, victim choice, store write, policy page-out), no engine.`,
  targets: { faultsPerSecond: 1_000_000, simulatedXenOneVcpuFaultsPerSecond: 200_000 },
  faultsPerSecond,
  baselineFaultsPerSecond: baselinePerSecond,
  ratioToBaseline: +(faultsPerSecond / baselinePerSecond).toFixed(3),
  copiesOnlyFaultsPerSecond: copiesPerSecond,
  copiesOnlyMethod: `The two 4 KiB copies per fault a memory store makes (read one out of a random slot of a ${(PAGES / 2) * 4} KiB store, write the victim into the slot it freed), nothing else: the ceiling of any engine with this store on this machine.`,
  simulatedXen,
  simulatedXenMethod: `Median of ${RUNS} runs each: the simulated Xen (vm_event/v7, 65536 gfns, target 25%), xenpaging and the memory store, a Zipf workload (100k operations on one vcpu, 200k on 64), the pager settling after every guest step as pagevisor run does; faults per second of the workload, measured under the profiler; contentModelShare is the share of V8 profiler samples (100 µs) with a function of sim/page-content or internal/sim/frame-contents on the stack.`,
  samples: { engine: engine.map(Math.round), baseline: baseline.map(Math.round), copiesOnly: copies.map(Math.round), simulatedXenOneVcpu: oneVcpu.map((r) => Math.round(r.faultsPerSecond)), simulatedXen64Vcpus: manyVcpus.map((r) => Math.round(r.faultsPerSecond)) },
});
console.log(`written ${out}`);
