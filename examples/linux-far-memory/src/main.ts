// Far memory for a Node program: a table of 32 MiB of records lives in a paged region of this
// process, which keeps only 8 MiB of it in RAM; the rest is in Redis and comes back on demand when
// the working thread touches it. Give REDIS_URL (redis://host:port) to use your own Redis; otherwise a
// throwaway redis-server is started (Debian: apt-get install redis-server). Linux only (userfaultfd).
import 'reflect-metadata';
import { Worker } from 'node:worker_threads';
import { createPager } from '@pagevisor/core';
import { openPagedRegion, userfaultfdSupport } from '@pagevisor/linux';
import { policyNamed } from '@pagevisor/policies';
import { redisStore } from '@pagevisor/storage';
import { findRedisServer, startRedisServer, type RedisHandle } from '@pagevisor/testing';

const PAGES = 8192; // 32 MiB
const BUDGET = 2048; // 8 MiB resident
const RECORDS = (PAGES * 4096) / 64;
const LOOKUPS = 30_000;
const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;

const support = userfaultfdSupport();
if (!support.available) {
  console.error(`this example pages real memory with userfaultfd: ${support.problem.message}`);
  process.exit(1);
}
let url = process.env['REDIS_URL'];
let throwaway: RedisHandle | undefined;
if (!url) {
  if (!findRedisServer()) {
    console.error('no REDIS_URL given, and redis-server is not installed (apt-get install redis-server)');
    process.exit(1);
  }
  throwaway = await startRedisServer();
  url = throwaway.url;
  console.log(`started a throwaway redis-server at ${url}`);
}

const region = openPagedRegion({ pages: PAGES, target: BUDGET, name: `table-${process.pid}` });
const pager = createPager({ backend: region.backend, policy: policyNamed('clock'), store: redisStore({ url }) });
try {
  await pager.start();
  let peak = 0;
  const sampler = setInterval(() => (peak = Math.max(peak, region.measuredResidentBytes())), 250);
  const worker = new Worker(new URL('./table-worker.mjs', import.meta.url), { workerData: { region: region.id, records: RECORDS, lookups: LOOKUPS } });
  const result = await new Promise<{ loadSeconds: number; lookupSeconds: number; bad: number; scanBad: number }>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  clearInterval(sampler);
  await pager.settle();
  const stats = pager.stats;
  console.log(`a table of ${RECORDS} records (${mib(PAGES * 4096)}) in a region held at ${mib(BUDGET * 4096)}:`);
  console.log(`  loaded in ${result.loadSeconds.toFixed(2)} s; ${LOOKUPS} lookups in ${result.lookupSeconds.toFixed(2)} s (${Math.round(LOOKUPS / result.lookupSeconds)}/s); then a full scan`);
  console.log(`  ${stats.faults} page faults served, ${stats.evictions} evictions (${stats.cleanEvictions} of pages Redis already held), ${stats.pagesOut} pages in Redis now`);
  console.log(`  resident by /proc: peak ${mib(peak)}, now ${mib(region.measuredResidentBytes())}, budget ${mib(BUDGET * 4096)}`);
  console.log(`  ${result.bad} lookups and ${result.scanBad} records of the scan read back wrong`);
  await worker.terminate();
  await pager.stop('graceful');
  process.exitCode = result.bad === 0 && result.scanBad === 0 && region.measuredResidentBytes() > 0 ? 0 : 1;
} finally {
  region.close();
  await throwaway?.stop();
}
