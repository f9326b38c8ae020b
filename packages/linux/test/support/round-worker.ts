// Writes its round number into every page of a region, round after round (nearly always waiting in a
// fault), turning to its messages between rounds. On 'check' it answers how many pages do not hold
// the last round's number.
import { parentPort, workerData } from 'node:worker_threads';
import { attachRegion } from '../../src/index.js';

const words = new Uint32Array(attachRegion(workerData.region as number));
let checking = false;
parentPort!.on('message', () => (checking = true));
parentPort!.postMessage('running');
let round = 0;
while (!checking) {
  round++;
  for (let at = 0; at < words.length; at += 1024) words[at] = round;
  await new Promise((resolve) => setImmediate(resolve));
}
let bad = 0;
for (let at = 0; at < words.length; at += 1024) if (words[at] !== round) bad++;
parentPort!.postMessage({ rounds: round, bad });
