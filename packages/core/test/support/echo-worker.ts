// A Worker module for module-worker.test.ts: answers with its workerData and a value from a workspace
// package, so the test sees that tsx and the source condition reach the Worker.
import { parentPort, workerData } from 'node:worker_threads';
import { RING_PAGE_BYTES } from '@pagevisor/core';

parentPort!.postMessage({ workerData, ringPageBytes: RING_PAGE_BYTES });
