/**
 * Benchmark: the simulator at scale. Creates a 16 M-gfn (64 GiB) HVM domain in a fresh child process,
 * three times, and reports the median time, the memory it took, and the simulator state per gfn; then
 * the guest operations per second of a mix workload with a pager on a 1 M-gfn domain. Writes
 * `bench-results/sim.json` at the repo root. Targets: creation < 5 s and < 1 GiB.
 *
 * Run: `pnpm bench` (all packages) or `pnpm --filter @pagevisor/testing bench`.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { BackRing, type PagingMessage } from '@pagevisor/core';
import { median, writeBenchResults } from '../../../bench/bench-results.js';
import { GuestRunner, MAX_SIM_PAGES, mixWorkload, SimHypervisor } from '@pagevisor/testing';

const RUNS = 3;

interface CreateSample {
  readonly seconds: number;
  readonly rssBytes: number;
  readonly arrayBufferBytes: number;
  readonly domainBytesPerGfn: number;
  readonly frameBytesPerFrame: number;
}

function createOnce(): CreateSample {
  const before = process.memoryUsage();
  const start = performance.now();
  const hv = new SimHypervisor({ abi: 'vm_event/v7', machineFrames: MAX_SIM_PAGES + 4096 });
  const d = hv.createDomain({ maxPages: MAX_SIM_PAGES, vcpus: 8 });
  const seconds = (performance.now() - start) / 1000;
  const after = process.memoryUsage();
  const f = hv.frames;
  const domainArrays = [d.p2mMfn, d.p2mType, d.version];
  const frameArrays = [f.owner, f.refs, f.allocated, f.state, f.broken, f.type, f.typeCount, f.m2p, f.contentGfn, f.contentVersion, hv.frames.mapped];
  const bytes = (arrays: { readonly byteLength: number }[]) => arrays.reduce((sum, a) => sum + a.byteLength, 0);
  return {
    seconds,
    rssBytes: after.rss - before.rss,
    arrayBufferBytes: after.arrayBuffers - before.arrayBuffers,
    domainBytesPerGfn: bytes(domainArrays) / d.maxPages,
    // + 4 bytes per frame for the free list, which is private.
    frameBytesPerFrame: bytes(frameArrays) / f.size + 4,
  };
}

/** Guest operations per second: a mix workload on 4 vcpus, a pager keeping 25% of a 1 M-gfn guest out. */
async function runThroughput(): Promise<{ opsPerSecond: number; faults: number; ops: number }> {
  const hv = new SimHypervisor({ abi: 'vm_event/v7', machineFrames: (1 << 20) + 4096 });
  const d = hv.createDomain({ maxPages: 1 << 20, vcpus: 4, seed: 1 });
  const channel = hv.enablePaging(d.domid, 'vm_event/v7');
  const back = new BackRing(channel.ring);
  const abi = d.paging!.abi;
  const store = new Map<number, Uint8Array>();
  const runner = new GuestRunner(hv, d.domid, mixWorkload({ pages: 1 << 19, accesses: 500_000, seed: 1 }));
  let victim = 0;
  const batch: PagingMessage[] = [];
  const start = performance.now();
  const result = await runner.run(() => {
    while (store.size < 1 << 17) {
      const gfn = runner.gfnOf((victim = (victim + 7919) % (1 << 19)));
      try {
        hv.nominate(d.domid, gfn);
        const m = hv.mapForeign(d.domid, gfn, false);
        store.set(gfn, m.bytes);
        hv.unmapForeign(m);
        hv.evict(d.domid, gfn);
      } catch {
        store.delete(gfn);
      }
    }
    const n = back.drainRequests(abi, batch, Number.POSITIVE_INFINITY, false);
    if (n === 0) return;
    for (let i = 0; i < n; i++) {
      const r = batch[i]!;
      const bytes = store.get(r.gfn);
      if (bytes !== undefined && (r as { pagingFlags: number }).pagingFlags === 0) {
        try {
          hv.prep(d.domid, r.gfn, bytes);
        } catch {
          // the gfn left paging meanwhile
        }
      }
      store.delete(r.gfn);
    }
    back.pushResponses(abi, batch, n);
    hv.resume(d.domid);
  });
  return { opsPerSecond: result.ops / ((performance.now() - start) / 1000), faults: result.faults, ops: result.ops };
}


async function main(): Promise<void> {
  if (process.argv.includes('--child')) {
    process.stdout.write(JSON.stringify(createOnce()));
    return;
  }
  const self = fileURLToPath(import.meta.url);
  const samples: CreateSample[] = [];
  for (let i = 0; i < RUNS; i++) {
    const child = spawnSync(process.execPath, [...process.execArgv, self, '--child'], { encoding: 'utf8' });
    if (child.status !== 0) throw new Error(`bench child failed: ${child.stderr}`);
    samples.push(JSON.parse(child.stdout) as CreateSample);
  }
  const first = samples[0]!;
  const create = {
    gfns: MAX_SIM_PAGES,
    medianSeconds: +median(samples.map((s) => s.seconds)).toFixed(3),
    medianRssMiB: +(median(samples.map((s) => s.rssBytes)) / 2 ** 20).toFixed(1),
    arrayBufferMiB: +(first.arrayBufferBytes / 2 ** 20).toFixed(1),
    domainBytesPerGfn: first.domainBytesPerGfn,
    frameBytesPerFrame: first.frameBytesPerFrame,
    bytesPerGuestPage: first.domainBytesPerGfn + first.frameBytesPerFrame,
    meetsTarget: median(samples.map((s) => s.seconds)) < 5 && median(samples.map((s) => s.rssBytes)) < 2 ** 30,
  };
  console.log(`create 16M gfns: ${create.medianSeconds} s, ${create.medianRssMiB} MiB RSS, ${create.bytesPerGuestPage} bytes per guest page`);
  const throughput = await runThroughput();
  console.log(`mix workload with a pager: ${(throughput.opsPerSecond / 1e6).toFixed(2)} M guest ops/s (${throughput.faults} faults)`);
  const out = writeBenchResults('sim', {
        method: `Domain creation: ${RUNS} fresh child processes each build a SimHypervisor with 2^24 + 4096 frames and a 2^24-gfn HVM domain (RAM populated per its E820 map); medians of time and RSS growth. Throughput: mix workload (500k ops, 4 vcpus) on a 2^20-gfn guest while a minimal pager keeps 2^17 pages out, audit off.`,
        targets: { createSeconds: 5, createMemoryMiB: 1024 },
        create,
        throughput: { opsPerSecond: Math.round(throughput.opsPerSecond), ops: throughput.ops, faults: throughput.faults },
  });
  console.log(`written ${out}`);
}

await main();
