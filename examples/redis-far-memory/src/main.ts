// Far memory: a simulated 128 MiB Xen guest keeps only 32 MiB resident; the rest of its pages live in
// Redis, compressed, and come back on demand while its vcpus run. Give REDIS_URL (redis://host:port)
// or REDIS_CLUSTER (host:port,host:port) to use your own; otherwise a throwaway redis-server is
// started (Debian: apt-get install redis-server).
import 'reflect-metadata';
import { Redis } from 'ioredis';
import { createPager } from '@pagevisor/core';
import { xenpaging } from '@pagevisor/policies';
import { compressedStore, redisStore } from '@pagevisor/storage';
import { findRedisServer, GuestRunner, mixWorkload, SimHypervisor, startRedisServer, type RedisHandle } from '@pagevisor/testing';

const cluster = process.env['REDIS_CLUSTER']?.split(',');
let url = process.env['REDIS_URL'];
let throwaway: RedisHandle | undefined;
if (!url && !cluster) {
  if (!findRedisServer()) {
    console.error('no REDIS_URL or REDIS_CLUSTER given, and redis-server is not installed (apt-get install redis-server)');
    process.exit(1);
  }
  throwaway = await startRedisServer();
  url = throwaway.url;
  console.log(`started a throwaway redis-server at ${url}`);
}

const xen = new SimHypervisor({ abi: 'vm_event/v7' });
const guest = xen.createDomain({ maxPages: 32768, vcpus: 4, seed: 3 });
const prefix = `far-memory-example:${process.pid}`;
const pager = createPager({
  hypervisor: xen,
  domid: guest.domid,
  policy: xenpaging(),
  store: compressedStore(redisStore(cluster ? { cluster, prefix } : { url, prefix }), { codec: 'deflate' }),
});
pager.events$.subscribe(() => undefined);

try {
  await pager.start();
  xen.setTarget(guest.domid, 8192); // 32 MiB resident of 128 MiB
  await pager.settle();
  console.log(`paged out ${pager.stats.pagesOut} pages to Redis under "${prefix}"`);

  const runner = new GuestRunner(xen, guest.domid, mixWorkload({ pages: 30000, accesses: 50_000, seed: 5 }));
  const result = await runner.run(() => pager.settle());
  const stats = pager.stats;
  console.log(`guest ran ${result.ops} operations; ${stats.faults} page faults were served from Redis`);
  if (!cluster) {
    const redis = new Redis(url!);
    const memory = /used_memory:(\d+)/.exec(await redis.info('memory'))?.[1];
    console.log(`Redis holds ${await redis.dbsize()} keys in ${(Number(memory) / 2 ** 20).toFixed(1)} MiB for ${stats.pagesOut} pages (${((stats.pagesOut * 4096) / 2 ** 20).toFixed(1)} MiB uncompressed)`);
    await redis.quit();
  }

  const report = await pager.stop('graceful');
  const integrity = xen.contentMismatches(guest.domid);
  console.log(`stopped with ${report.pagesOut} pages out; ${integrity.checked} pages checked, ${integrity.mismatches.length} lost or damaged`);
  process.exitCode = integrity.mismatches.length === 0 ? 0 : 1;
} finally {
  await throwaway?.stop();
}
