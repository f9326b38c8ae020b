// A child process: a Worker keeps faulting on a region held at a few pages while this thread serves it
// with stopOnSignals; then the signal named by the argument arrives. It prints what the graceful stop
// left out, and the Worker's check of every page after it. With `twice`, the store stops answering
// reads (a faultyStore) as the first signal is sent, so the graceful stop cannot end, and a second signal follows.
import { createPager } from '@pagevisor/core';
import { policyNamed } from '@pagevisor/policies';
import { memoryStore } from '@pagevisor/storage';
import { faultyStore } from '@pagevisor/testing';
import { workerOver } from './region-harness.js';
import { openPagedRegion, stopOnSignals } from '../../src/index.js';

const [signal, twice] = process.argv.slice(2) as ['SIGINT' | 'SIGTERM', string | undefined];
const region = openPagedRegion({ pages: 8192, target: 64 });
let stalling: (() => void) | undefined;
const pager = createPager({ backend: region.backend, policy: policyNamed('fifo'), store: faultyStore(memoryStore(), (store) => (stalling = () => store.inject('read', { delayMs: 2 ** 31 - 1, fails: false }))) });
await pager.start();
const worker = workerOver(region.id, 'round-worker.ts');
stopOnSignals(pager, {
  onStopped: async (received) => {
    console.log(`stopped on ${received} with ${pager.stats.pagesOut} pages out`);
    worker.postMessage('check');
    const { rounds, bad } = await new Promise<{ rounds: number; bad: number }>((resolve) => worker.once('message', resolve));
    console.log(`after ${rounds} rounds, ${bad} pages hold another round's word`);
  },
});
// The signal comes once most pages are out, so the graceful stop has thousands to bring in.
const mostlyOut = () =>
  new Promise<void>((resolve) => {
    const poll = setInterval(() => pager.stats.pagesOut >= 4096 && (clearInterval(poll), resolve()), 20);
  });
worker.once('message', () =>
  void mostlyOut().then(() => {
    // The second one once the first has been handled (two sent at once may arrive as one); the
    // stalled store keeps the graceful stop from ending before it, whatever the timing.
    if (twice === 'twice') {
      stalling!(); // every read from now on waits 24 days
      process.once(signal, () => setTimeout(() => process.kill(process.pid, signal), 5));
    }
    process.kill(process.pid, signal);
  }),
);
