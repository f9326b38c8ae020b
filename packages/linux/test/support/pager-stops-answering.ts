// A child process: a Worker keeps faulting on a region held at a few pages, watched with a deadline
// of 300 ms; 300 ms in, the store's reads start to hang (the pager is alive but answers no fault). The
// watchdog poisons the page the Worker waits on: it gets SIGBUS, which ends the process; without a
// watchdog it would wait for ever.
import { createPager } from '@pagevisor/core';
import { policyNamed } from '@pagevisor/policies';
import { memoryStore } from '@pagevisor/storage';
import { faultyStore, type FaultyStore } from '@pagevisor/testing';
import { workerOver } from './region-harness.js';
import { openPagedRegion } from '../../src/index.js';

const region = openPagedRegion({ pages: 1024, target: 16, watchdog: { deadlineMs: 300 } });
let store: FaultyStore | undefined;
const pager = createPager({ backend: region.backend, policy: policyNamed('fifo'), store: faultyStore(memoryStore(), (s) => (store = s)) });
await pager.start();
const worker = workerOver(region.id, 'spin-worker.ts');
worker.once('message', () =>
  setTimeout(() => {
    store!.inject('read', { fails: false, delayMs: 2 ** 31 - 1 });
    console.log('reads hang from now on');
  }, 300),
);
