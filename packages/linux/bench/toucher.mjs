// A Worker that touches a paged region: each message names a number of pages, passes and a stride; it
// writes one word per page and answers with the time taken (ms). Under tsx, as the benchmark runs.
import { register } from 'tsx/esm/api';
import { parentPort, workerData } from 'node:worker_threads';

register({ tsconfig: new URL('../../../tsconfig.base.json', import.meta.url).pathname });
const { attachRegion } = await import('@pagevisor/linux');
const words = new Uint32Array(attachRegion(workerData.region));
parentPort.on('message', ({ pages, passes, stride }) => {
  const start = performance.now();
  for (let pass = 1; pass <= passes; pass++) for (let p = 0; p < pages; p++) words[((p * stride) % pages) * 1024] = pass;
  parentPort.postMessage(performance.now() - start);
});
