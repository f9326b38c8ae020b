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

/** What a bad page holds instead: zeros, another round's pattern, or something else. */
function describeBad(p: number, round: number): string {
  const at = p * WORDS;
  if (words.subarray(at, at + WORDS).every((w) => w === 0)) return `page ${p}: zeros`;
  for (let r = 0; r <= round + 1; r++) if (words[at + 1] === patternWord(p, 1, r)) return `page ${p}: round ${r}`;
  return `page ${p}: other (${words[at]}, ${words[at + 1]})`;
}

parentPort!.on('message', (job: RegionJob) => {
  let bad = 0;
  const badPages: string[] = [];
  for (const p of job.order) {
    const at = p * WORDS;
    const before = bad;
    if (job.op === 'write') for (let k = 0; k < WORDS; k++) words[at + k] = patternWord(p, k, job.round);
    else if (job.op === 'check') for (let k = 0; k < WORDS; k++) bad += words[at + k] === patternWord(p, k, job.round) ? 0 : 1;
    else for (let k = 0; k < WORDS; k++) bad += words[at + k] === 0 ? 0 : 1;
    if (bad !== before && job.op === 'check' && badPages.length < 8) badPages.push(describeBad(p, job.round));
  }
  parentPort!.postMessage(bad === 0 ? { bad, pages } : { bad, pages, badPages });
});
