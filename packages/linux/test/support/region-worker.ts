// A Worker that touches a paged region as an application would: it writes and checks a pattern that
// differs for every (page, word, round), so a lost, stale or misplaced page shows.
import { parentPort, workerData } from 'node:worker_threads';
import { attachRegion } from '../../src/index.js';
import { patternWord } from './pattern-word.js';

const WORDS = 1024;
const words = new Uint32Array(attachRegion(workerData.region as number));
const pages = words.length / WORDS;

export type RegionJob =
  | { readonly op: 'write'; readonly round: number; readonly order: readonly number[] }
  | { readonly op: 'check'; readonly round: number; readonly order: readonly number[] }
  | { readonly op: 'read-zero'; readonly order: readonly number[] };

parentPort!.on('message', (job: RegionJob) => {
  let bad = 0;
  for (const p of job.order) {
    const at = p * WORDS;
    if (job.op === 'write') for (let k = 0; k < WORDS; k++) words[at + k] = patternWord(p, k, job.round);
    else if (job.op === 'check') for (let k = 0; k < WORDS; k++) bad += words[at + k] === patternWord(p, k, job.round) ? 0 : 1;
    else for (let k = 0; k < WORDS; k++) bad += words[at + k] === 0 ? 0 : 1;
  }
  parentPort!.postMessage({ bad, pages });
});
