// A Worker of `pagevisor run --backend linux`: replays a workload on a paged region's pages, touching
// them for real (the pager serves the faults on the main thread), and checks their content: each
// page is filled with a word of its index and version whenever it is written, checked at both ends on
// each read, and checked whole at the end.
import { parentPort, workerData } from 'node:worker_threads';
import { attachRegion } from '@pagevisor/linux';

/** What the main thread gives the Worker. */
export interface LinuxWorkloadJob {
  readonly region: number;
  readonly pages: number;
  readonly ops: Uint8Array;
  readonly targets: Uint32Array;
}

/** What the Worker posts: progress, the end of the workload, the final check. */
export type LinuxWorkloadMessage =
  | { readonly type: 'progress'; readonly done: number }
  | { readonly type: 'done'; readonly done: number; readonly writes: number; readonly readMismatches: number }
  | { readonly type: 'checked'; readonly pages: number; readonly bad: number; readonly firstBad?: string };

const WORDS = 1024; // 32-bit words per page
const STEP = 4096; // operations between turns of the event loop (a stop request is heard there)
const WRITE = 1; // GuestOp.write

const { region, pages, ops, targets } = workerData as LinuxWorkloadJob;
const words = new Uint32Array(attachRegion(region));
const version = new Uint32Array(pages);
const port = parentPort!;
let stopping = false;

/** The word page `page` holds after its `v`-th write (never 0: a page never written reads zeros). */
function word(page: number, v: number): number {
  return (Math.imul(page + 1, 0x9e3779b1) ^ Math.imul(v, 0x85ebca6b)) | 1;
}

async function replay(): Promise<void> {
  let writes = 0;
  let readMismatches = 0;
  let done = 0;
  while (done < ops.length && !stopping) {
    const end = Math.min(ops.length, done + STEP);
    for (; done < end; done++) {
      const page = targets[done]!;
      const at = page * WORDS;
      if (ops[done] === WRITE || version[page] === 0) {
        // A write, or the first touch: the page gets content the check can recognise.
        const v = ++version[page]!;
        words.fill(word(page, v), at, at + WORDS);
        writes++;
      } else {
        const expected = word(page, version[page]!) >>> 0;
        if (words[at] !== expected || words[at + WORDS - 1] !== expected) readMismatches++;
      }
    }
    port.postMessage({ type: 'progress', done } satisfies LinuxWorkloadMessage);
    await new Promise((resolve) => setImmediate(resolve));
  }
  port.postMessage({ type: 'done', done, writes, readMismatches } satisfies LinuxWorkloadMessage);
}

function check(): void {
  let bad = 0;
  let firstBad: string | undefined;
  for (let page = 0; page < pages; page++) {
    const expected = version[page] === 0 ? 0 : word(page, version[page]!) >>> 0;
    const at = page * WORDS;
    for (let w = at; w < at + WORDS; w++) {
      if (words[w] === expected) continue;
      bad++;
      firstBad ??= `page ${page} word ${w - at} is 0x${words[w]!.toString(16)}, not 0x${expected.toString(16)} (version ${version[page]})`;
      break;
    }
  }
  port.postMessage({ type: 'checked', pages, bad, ...(firstBad === undefined ? {} : { firstBad }) } satisfies LinuxWorkloadMessage);
}

port.on('message', (message: 'stop' | 'check') => {
  if (message === 'stop') stopping = true;
  else check();
});
void replay();
