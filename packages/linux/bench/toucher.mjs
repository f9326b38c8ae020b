// A Worker that touches a paged region: each message names a number of pages and whether to write;
// it writes one word of each page in order (the pass's number), or reads it, and answers with the
// time taken (ms). Under tsx, as the benchmark runs.
import { register } from 'tsx/esm/api';
import { parentPort, workerData } from 'node:worker_threads';

register({ tsconfig: new URL('../../../tsconfig.base.json', import.meta.url).pathname });
const { attachRegion } = await import('@pagevisor/linux');
const words = new Uint32Array(attachRegion(workerData.region));
let pass = 0;
let sum = 0;
parentPort.on('message', ({ pages, write }) => {
  const start = performance.now();
  pass++;
  if (write) for (let p = 0; p < pages; p++) words[p * 1024] = pass;
  else for (let p = 0; p < pages; p++) sum += words[p * 1024];
  parentPort.postMessage(performance.now() - start + (sum === -1 ? 1 : 0)); // sum is read, so the reads stay
});
