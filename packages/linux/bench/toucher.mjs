// A Worker that touches a paged region: each message names a number of pages; it writes one word of
// each, in order (the pass's number), and answers with the time taken (ms). Under tsx, as the
// benchmark runs.
import { register } from 'tsx/esm/api';
import { parentPort, workerData } from 'node:worker_threads';

register({ tsconfig: new URL('../../../tsconfig.base.json', import.meta.url).pathname });
const { attachRegion } = await import('@pagevisor/linux');
const words = new Uint32Array(attachRegion(workerData.region));
let pass = 0;
parentPort.on('message', ({ pages }) => {
  const start = performance.now();
  pass++;
  for (let p = 0; p < pages; p++) words[p * 1024] = pass;
  parentPort.postMessage(performance.now() - start);
});
