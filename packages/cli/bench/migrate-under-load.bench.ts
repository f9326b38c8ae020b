/**
 * Benchmark: downtime under a writing workload, pre-copy against post-copy. Writes
 * `bench-results/migrate-under-load.json`.
 *
 * `pagevisor migrate`'s run (`runMigration`): a 4096-page guest (16 MiB) paged down to half by a
 * pager over a pagefile, a seeded writing workload that has run 20 000 operations and goes on during
 * the rounds (and, in post-copy, on the destination), migrated by reference and streamed, each by
 * pre-copy and by post-copy, over a simulated 10 GbE link. Downtime and total are virtual time and
 * the same on every run (the workload and the content are seeded); wall time is one run's. The
 * 1 GiB figures of `bench-results/migrate.json` are with an idle guest: the simulated guest is too slow
 * to keep a 1 GiB guest writing through a round of the link's time.
 *
 * Run: `pnpm --filter @pagevisor/cli bench`, or `pnpm bench`.
 */
import { runMigration } from '../src/migrate/migration-run.js';
import { writeBenchResults } from '../../../bench/bench-results.js';

const PAGES = 4096;
const results: Record<string, unknown> = {};
for (const transfer of ['by-reference', 'stream'] as const) {
  for (const mode of ['precopy', 'postcopy'] as const) {
    const start = performance.now();
    const r = await runMigration({ pages: PAGES, target: PAGES >> 1, store: { kind: 'pagefile', path: undefined, url: undefined, cluster: undefined, prefix: '', fsync: 'none' }, transfer, mode, ops: 20_000, seed: 1 });
    const seconds = +((performance.now() - start) / 1000).toFixed(3);
    if (r.outcome !== 'migrated' || r.integrity?.mismatches !== 0 || r.invariantViolations !== 0) throw new Error(`${transfer} ${mode}: ${r.outcome} ${r.error ?? ''}`);
    const row = { seconds, rounds: r.rounds, pagesSent: r.pagesSent, bytesSent: r.bytesSent, byReference: r.byReference, streamed: r.streamed, downtimeMs: r.downtimeMs, totalMs: r.totalMs, postcopy: r.postcopy, checked: r.integrity.checked };
    results[`${transfer} ${mode}`] = row;
    console.log(`migrate under load, ${transfer}, ${mode}: downtime ${row.downtimeMs} ms of ${row.totalMs} ms (virtual, 10 GbE), ${row.rounds} rounds, ${row.bytesSent} bytes${r.postcopy ? `; ${r.postcopy.owed} owed at the resume, ${r.postcopy.requested} requested, ${r.postcopy.pushed} pushed` : ''}; ${row.checked} pages checked, 0 wrong (${seconds} s)`);
  }
}
console.log(`written ${writeBenchResults('migrate-under-load', { guestPages: PAGES, residentBefore: PAGES >> 1, store: 'pagefile', workloadOpsBefore: 20_000, linkBytesPerSecond: 1.25e9, results })}`);
