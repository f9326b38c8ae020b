// A child process: a Worker keeps faulting on a region held at a few pages while this thread serves
// it; this thread stops serving, then calls process.exit(7) (argument `exit`) or sends itself the
// signal named by its argument (SIGTERM, SIGINT). Neither may wait for the Worker.
import { createPager } from '@pagevisor/core';
import { policyNamed } from '@pagevisor/policies';
import { memoryStore } from '@pagevisor/storage';
import { workerOver } from './region-harness.js';
import { openPagedRegion } from '../../src/index.js';

const region = openPagedRegion({ pages: 4096, target: 16 });
const pager = createPager({ backend: region.backend, policy: policyNamed('fifo'), store: memoryStore() });
await pager.start();
const worker = workerOver(region.id, 'spin-worker.ts');
worker.once('message', () =>
  setTimeout(() => {
    // This thread stops serving for 100 ms: the Worker is surely waiting in a fault when it exits.
    const until = performance.now() + 100;
    while (performance.now() < until);
    const how = process.argv[2] ?? 'exit';
    if (how === 'exit') process.exit(7);
    process.kill(process.pid, how as NodeJS.Signals);
  }, 300),
);
