// The guest of the backend conformance suite: a Worker that writes a page (its first 64 bytes become
// the next write's number) or reads it, and answers with the page's 4096 bytes as it sees them then.
import { parentPort, workerData } from 'node:worker_threads';
import { attachRegion } from '../../src/index.js';

const PAGE = 4096;
const bytes = new Uint8Array(attachRegion(workerData.region as number));
let writes = 0;

export interface GuestJob {
  readonly seq: number;
  readonly op: 'write' | 'read';
  readonly page: number;
}

parentPort!.on('message', ({ seq, op, page }: GuestJob) => {
  if (op === 'write') bytes.fill(++writes & 0xff, page * PAGE, page * PAGE + 64);
  parentPort!.postMessage({ seq, bytes: bytes.slice(page * PAGE, (page + 1) * PAGE) });
});
