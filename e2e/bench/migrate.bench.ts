/**
 * Benchmark: pre-copy migration of a 1 GiB simulated guest (262144 pages) with half of it paged out,
 * between two simulated hosts in this process. Writes `bench-results/migrate.json`.
 *
 * Three ways, each the median of 3 runs:
 * - `by-reference`: the paged-out pages stay in the source's pagefile, which the destination's pager
 *   takes over; only their gfns travel.
 * - `stream`: the paged-out pages are read from the source's pagefile and sent with their bytes, never
 *   paged into the guest; the destination writes them to a pagefile of its own.
 * - `page-in-first` (the baseline: what a xenpaging user had to do): the pager pages everything back
 *   in from its pagefile first (target raised to the whole guest), then the guest migrates with
 *   nothing paged out.
 *
 * For each: wall time of the migration itself (`migrate()`, which ends with the destination's check of
 * every page, and for the baseline the page-in before it too), pages per second through the stream
 * (gfns sent over that wall time), bytes on the wire,
 * and the virtual downtime and total over a 10 GbE link. The guest is idle during the rounds, so the
 * figures are the stream's own cost; the last round sends what the pagers changed meanwhile.
 *
 * Run: `pnpm --filter @pagevisor/e2e bench` (after `pnpm build`), or `pnpm bench`.
 */
import 'reflect-metadata';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPager, type PagevisorPlugin } from '@pagevisor/core';
import { xenpaging } from '@pagevisor/policies';
import { pagefileStore } from '@pagevisor/storage';
import { migrate, migrationFigures, SimHypervisor, type MigrationFigures, type PagedTransfer } from '@pagevisor/testing';
import { median, writeBenchResults } from '../../bench/bench-results.js';

const RUNS = 3;
const PAGES = 262_144;
const ABI = 'vm_event/v7';
const WAYS = ['by-reference', 'stream', 'page-in-first'] as const;

interface Sample extends MigrationFigures {
  readonly seconds: number;
}

async function once(way: (typeof WAYS)[number], dir: string, run: number): Promise<Sample> {
  // Every way over pagefiles, so that only the way differs: by reference both pagers open the one file,
  // otherwise each host has its own.
  const path = join(dir, `${way}-${run}.pagefile`);
  const store = (host: 'a' | 'b'): PagevisorPlugin => pagefileStore({ path: way === 'by-reference' ? path : `${path}.${host}` });
  const a = new SimHypervisor({ abi: ABI, machineFrames: PAGES + 4096 });
  const b = new SimHypervisor({ abi: ABI, machineFrames: PAGES + 4096 });
  const guest = a.createDomain({ maxPages: PAGES, vcpus: 4, seed: run + 1 });
  const pager = createPager({ hypervisor: a, domid: guest.domid, policy: xenpaging(), store: store('a'), abi: ABI });
  await pager.start();
  a.setTarget(guest.domid, guest.totPages >> 1);
  await pager.settle();
  const start = performance.now();
  if (way === 'page-in-first') {
    a.setTarget(guest.domid, PAGES);
    await pager.settle();
  }
  const paged: PagedTransfer = way === 'by-reference' ? 'by-reference' : 'stream';
  const report = await migrate({
    source: { hv: a, domid: guest.domid, pager },
    destination: { hv: b, createPager: (domid) => createPager({ hypervisor: b, domid, policy: xenpaging(), store: store('b'), abi: ABI }), reachableStore: path },
    paged,
    storeRef: path,
  });
  const seconds = (performance.now() - start) / 1000;
  if (report.outcome !== 'migrated') throw new Error(`${way}: ${String(report.error)}`);
  await report.destinationPager!.stop('hard');
  return { seconds, ...migrationFigures(report) };
}

const dir = mkdtempSync(join(tmpdir(), 'pagevisor-migrate-bench-'));
try {
  const results: Record<string, unknown> = {};
  for (const way of WAYS) {
    const samples: Sample[] = [];
    for (let run = 0; run < RUNS; run++) samples.push(await once(way, dir, run));
    const pick = (f: (s: Sample) => number) => median(samples.map(f));
    const row = {
      seconds: +pick((s) => s.seconds).toFixed(3),
      pagesPerSecond: Math.round(pick((s) => s.pagesSent / s.seconds)),
      pagesSent: pick((s) => s.pagesSent),
      bytesSent: pick((s) => s.bytesSent),
      byReference: pick((s) => s.byReference),
      streamed: pick((s) => s.streamed),
      downtimeMs: +pick((s) => s.downtimeMs).toFixed(3),
      totalMs: +pick((s) => s.totalMs).toFixed(3),
      mismatches: Math.max(...samples.map((s) => s.integrity!.mismatches)),
    };
    results[way] = row;
    console.log(`migrate ${way}: ${row.seconds} s, ${(row.pagesPerSecond / 1000).toFixed(1)} K pages/s, ${(row.bytesSent / 2 ** 20).toFixed(1)} MiB sent, downtime ${row.downtimeMs} ms of ${row.totalMs} ms (virtual, 10 GbE), ${row.mismatches} wrong pages`);
  }
  const base = results['page-in-first'] as { seconds: number; bytesSent: number };
  for (const way of ['by-reference', 'stream']) {
    const row = results[way] as { seconds: number; bytesSent: number };
    results[way] = { ...row, secondsOverPageInFirst: +(row.seconds / base.seconds).toFixed(3), bytesOverPageInFirst: +(row.bytesSent / base.bytesSent).toFixed(3) };
  }
  console.log(`written ${writeBenchResults('migrate', { runs: RUNS, guestPages: PAGES, pagedOutShare: 0.5, linkBytesPerSecond: 1.25e9, results })}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
