// A Worker that replays a workload on a paged region: one word of each step's page read, or written
// for a write (GuestOp 1), then answers with the time taken (ms). Under tsx, as the benchmark runs.
import { register } from 'tsx/esm/api';
import { parentPort, workerData } from 'node:worker_threads';

register({ tsconfig: new URL('../../../tsconfig.base.json', import.meta.url).pathname });
const { attachRegion } = await import('@pagevisor/linux');
const words = new Uint32Array(attachRegion(workerData.region));
const { ops, targets } = workerData;
const start = performance.now();
let sum = 0;
for (let i = 0; i < ops.length; i++) {
  const at = targets[i] * 1024;
  if (ops[i] === 1) words[at] = i;
  else sum += words[at];
}
parentPort.postMessage(performance.now() - start + (sum === -1 ? 1 : 0)); // sum is read, so the reads stay
