/**
 * Benchmark: the pager end to end on the simulated Xen with the memory store. Writes
 * `bench-results/pager.json`. Measures, each as the median of 5 runs:
 *
 * - faults served per second: 64 vcpus of a 256 Ki-gfn guest held at 25% keep faulting on paged-out
 *   gfns; every page-in is answered and the pager evicts to hold the target (steady state);
 * - the same with the pagefile store, fsync none (the default) and batch, samples alternating;
 * - the demo: `pagevisor run --json` of the built CLI, as the README runs it, and with the memory
 *   store and fsync batch: faults served per second of its workload phase and its wall time;
 * - evictions per second: a fresh guest paged from 100% down to 10%;
 * - pager and policy metadata per gfn on a 16 M-gfn guest, by part.
 *
 * Run: `pnpm bench` (builds, then all packages) or, after `pnpm build`, `pnpm --filter @pagevisor/e2e bench`.
 */
import 'reflect-metadata';
import { createPager, type Pager } from '@pagevisor/core';
import { median, writeBenchResults } from '../../bench/bench-results.js';
import { xenpaging } from '@pagevisor/policies';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { memoryStore, pagefileStore } from '@pagevisor/storage';
import type { PagevisorPlugin } from '@pagevisor/core';
import { MAX_SIM_PAGES, P2mType, SimHypervisor } from '@pagevisor/testing';

const RUNS = 5;
const GUEST_PAGES = 1 << 18;


async function pagedGuest(abi: string, vcpus: number, targetFraction: number, store: PagevisorPlugin): Promise<{ hv: SimHypervisor; domid: number; pager: Pager }> {
  const hv = new SimHypervisor({ abi, machineFrames: GUEST_PAGES + 4096 });
  const guest = hv.createDomain({ maxPages: GUEST_PAGES, vcpus });
  const pager = createPager({ hypervisor: hv, domid: guest.domid, policy: xenpaging(), store, abi });
  await pager.start();
  hv.setTarget(guest.domid, Math.floor(guest.totPages * targetFraction));
  await pager.settle();
  return { hv, domid: guest.domid, pager };
}

async function faultsPerSecond(abi: string, faults: number, store: PagevisorPlugin = memoryStore()): Promise<number> {
  const { hv, domid, pager } = await pagedGuest(abi, 64, 0.25, store);
  const d = hv.domain(domid);
  let cursor = 0;
  const nextPaged = () => {
    for (let n = 0; n < d.maxPages; n++) {
      cursor = (cursor + 7919) % d.maxPages;
      if (d.p2mType[cursor] === P2mType.ram_paged) return cursor;
    }
    return -1;
  };
  const start = performance.now();
  const before = pager.stats.faults;
  while (pager.stats.faults - before < faults) {
    for (let v = 0; v < d.vcpus; v++) {
      hv.releaseSpin(domid, v);
      if (!d.runnable(v)) continue;
      const gfn = nextPaged();
      if (gfn >= 0) hv.guestAccess(domid, v, gfn, false);
    }
    await pager.settle();
  }
  const seconds = (performance.now() - start) / 1000;
  const served = pager.stats.faults - before;
  await pager.stop('hard');
  return served / seconds;
}

async function evictionsPerSecond(): Promise<number> {
  const hv = new SimHypervisor({ abi: 'vm_event/v7', machineFrames: GUEST_PAGES + 4096 });
  const guest = hv.createDomain({ maxPages: GUEST_PAGES });
  const pager = createPager({ hypervisor: hv, domid: guest.domid, policy: xenpaging(), store: memoryStore() });
  await pager.start();
  const start = performance.now();
  hv.setTarget(guest.domid, Math.floor(guest.totPages / 10));
  await pager.settle();
  return pager.stats.evictions / ((performance.now() - start) / 1000);
}

async function metadataAt16M(): Promise<{ pager: number; policy: number; total: number }> {
  const hv = new SimHypervisor({ abi: 'vm_event/v7', machineFrames: MAX_SIM_PAGES + 4096 });
  const guest = hv.createDomain({ maxPages: MAX_SIM_PAGES });
  const pager = createPager({ hypervisor: hv, domid: guest.domid, policy: xenpaging(), store: memoryStore() });
  await pager.start();
  const { pager: p, policy } = pager.metadataBytesPerGfn;
  return { pager: p, policy: +policy.toFixed(4), total: +(p + policy).toFixed(4) };
}

/** One `pagevisor run --json` of the built CLI: what a user who runs the README's demo sees. */
interface DemoRun {
  readonly faultsPerSecond: number;
  readonly seconds: number;
  readonly faults: number;
}
const cliBin = fileURLToPath(new URL('../../packages/cli/dist/bin.js', import.meta.url));
function demoRun(args: readonly string[]): DemoRun {
  const out = execFileSync(process.execPath, [cliBin, 'run', '--json', ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  const report = JSON.parse(out.trim().split('\n').at(-1)!) as DemoRun;
  return { faultsPerSecond: report.faultsPerSecond, seconds: report.seconds, faults: report.faults };
}
/** The demo as the README runs it (the pagefile, fsync none), then with the other stores and fsync. */
const DEMO_VARIANTS: readonly (readonly [string, readonly string[]])[] = [
  ['default (file, fsync none)', []],
  ['memory', ['--store', 'memory']],
  ['file, fsync batch', ['--fsync', 'batch']],
];

const results = {
  faultsPerSecond: {} as Record<string, number>,
  faultsPerSecondPagefile: {} as Record<string, number>,
  demo: {} as Record<string, DemoRun>,
  evictionsPerSecond: 0,
  metadataBytesPerGfn: await metadataAt16M(),
};
for (const abi of ['vm_event/v7', 'mem_event/4.2', 'mem_event/age1']) {
  const samples: number[] = [];
  for (let r = 0; r < RUNS; r++) samples.push(await faultsPerSecond(abi, 100_000));
  results.faultsPerSecond[abi] = Math.round(median(samples));
  console.log(`${abi}: ${(results.faultsPerSecond[abi]! / 1000).toFixed(0)} K faults/s served end to end`);
}
{
  // The pagefile with each fsync policy, samples alternating so both see the same machine state.
  const dir = mkdtempSync(join(tmpdir(), 'pagevisor-bench-'));
  const samples: Record<'none' | 'batch', number[]> = { none: [], batch: [] };
  for (let r = 0; r < 3; r++) {
    for (const fsync of ['none', 'batch'] as const) {
      const path = join(dir, `run-${r}-${fsync}.pagefile`);
      samples[fsync].push(await faultsPerSecond('vm_event/v7', fsync === 'none' ? 100_000 : 5_000, pagefileStore({ path, fsync })));
      rmSync(path, { force: true });
    }
  }
  for (const fsync of ['none', 'batch'] as const) {
    results.faultsPerSecondPagefile[`fsync ${fsync}`] = Math.round(median(samples[fsync]));
    console.log(`vm_event/v7 with the pagefile, fsync ${fsync}: ${(results.faultsPerSecondPagefile[`fsync ${fsync}`]! / 1000).toFixed(1)} K faults/s`);
  }
  rmSync(dir, { recursive: true, force: true });
}
for (const [label, args] of DEMO_VARIANTS) {
  const runs: DemoRun[] = [];
  for (let r = 0; r < RUNS; r++) runs.push(demoRun(args));
  const seconds = median(runs.map((run) => run.seconds));
  const faultsPerSecond = median(runs.map((run) => run.faultsPerSecond));
  results.demo[label] = { faultsPerSecond, seconds, faults: runs[0]!.faults };
  console.log(`pagevisor run ${args.join(' ')}: ${(faultsPerSecond / 1000).toFixed(1)} K faults/s in the workload, ${seconds.toFixed(2)} s in all`);
}
const evictions: number[] = [];
for (let r = 0; r < RUNS; r++) evictions.push(await evictionsPerSecond());
results.evictionsPerSecond = Math.round(median(evictions));
console.log(`evictions: ${(results.evictionsPerSecond / 1000).toFixed(0)} K pages/s; metadata ${results.metadataBytesPerGfn.total} B/gfn`);

const out = writeBenchResults('pager', {
  method: `Medians of ${RUNS} runs. Faults: a ${GUEST_PAGES}-gfn guest with 64 vcpus held at 25% by the xenpaging policy and the memory store; every runnable vcpu faults on a paged-out gfn, then the pager settles (answers, pages in, evicts to hold the target); 100k faults per run. Evictions: a fresh ${GUEST_PAGES}-gfn guest paged to 10%. Metadata: a ${MAX_SIM_PAGES}-gfn guest, pager state and xenpaging state (default MRU 16384) per gfn. Pagefile: the same on vm_event/v7 with the pagefile store in a temporary directory, fsync none (the default) and batch (the pager flushes every eviction batch before evicting, so batch syncs once per batch), samples alternating, median of 3 runs of 100k (none) and 5k (batch) faults. Demo: the built CLI's \`pagevisor run --json\` (65536 gfns, the phases workload of 100k operations, targets 50%,25%,50%), faults per second of the workload phase as the CLI reports them, median of ${RUNS} runs.`,
      targets: { faultsPerSecond: 1_000_000, demoFaultsPerSecond: 50_000, metadataBytesPerGfn: 12 },
      ...results,
});
console.log(`written ${out}`);
