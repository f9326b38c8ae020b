// Touches every page of a region, round after round, for ever: it is nearly always waiting in a fault.
import { parentPort, workerData } from 'node:worker_threads';
import { attachRegion } from '../../src/index.js';

const words = new Uint32Array(attachRegion(workerData.region as number));
parentPort!.postMessage('running');
for (let round = 1; ; round++) for (let at = 0; at < words.length; at += 1024) words[at] = round;
