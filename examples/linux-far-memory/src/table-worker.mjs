// The program's working thread: it holds a table of fixed-size records in the paged region and looks
// them up, as any code touching a large in-memory dataset would. It never sees the paging: a record
// that is out simply takes a page fault, which the main thread serves from Redis.
import { parentPort, workerData } from 'node:worker_threads';
import { attachRegion } from '@pagevisor/linux';

const RECORD_WORDS = 16; // 64-byte records: id, checksum, 14 words of payload
const { region, records, lookups } = workerData;
const table = new Uint32Array(attachRegion(region));

/** Word `w` of record `id`'s payload: what a real table would have loaded from somewhere. */
const payload = (id, w) => (Math.imul(id + 1, 0x9e3779b1) ^ Math.imul(w + 1, 0x85ebca6b)) >>> 0;

function put(id) {
  const at = id * RECORD_WORDS;
  let sum = 0;
  for (let w = 0; w < RECORD_WORDS - 2; w++) {
    const word = payload(id, w);
    table[at + 2 + w] = word;
    sum = (sum + word) >>> 0;
  }
  table[at] = id;
  table[at + 1] = sum;
}

/** Whether record `id` reads back as it was stored. */
function intact(id) {
  const at = id * RECORD_WORDS;
  if (table[at] !== id) return false;
  let sum = 0;
  for (let w = 0; w < RECORD_WORDS - 2; w++) {
    if (table[at + 2 + w] !== payload(id, w)) return false;
    sum = (sum + table[at + 2 + w]) >>> 0;
  }
  return table[at + 1] === sum;
}

let started = performance.now();
for (let id = 0; id < records; id++) put(id);
const loadSeconds = (performance.now() - started) / 1000;

// Lookups skewed towards a hot set, as real key popularity is: id = records * u^3.
let seed = 12345;
let bad = 0;
started = performance.now();
for (let i = 0; i < lookups; i++) {
  seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
  const u = seed / 2 ** 32;
  if (!intact(Math.floor(records * u * u * u))) bad++;
}
const lookupSeconds = (performance.now() - started) / 1000;
let scanBad = 0;
for (let id = 0; id < records; id++) if (!intact(id)) scanBad++;
parentPort.postMessage({ loadSeconds, lookupSeconds, bad, scanBad });
