/**
 * Benchmark: encode → push → drain → decode through the shared ring, per paging ABI, beside a baseline
 * of the same loop over plain arrays of objects. Writes `bench-results/abi-ring.json` at the repo root.
 *
 * Each ABI runs in its own child process, as a pager speaks one ABI: one process for all 11 would
 * measure V8's polymorphic call sites instead. Inside a child, samples of the three loops are
 * interleaved and the median of each is reported.
 *
 * Run: `pnpm bench` (all packages) or `pnpm --filter @pagevisor/core bench`.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { median, writeBenchResults } from '../../../bench/bench-results.js';
import { BackRing, BUILTIN_ABIS, FrontRing, SharedRing, type PagingAbi, type PagingMessage } from '@pagevisor/core';

const TARGET_MESSAGES_PER_SECOND = 10_000_000;
const SAMPLES = 15;
const WARMUP_SAMPLES = 3;
/** Request/response cycles per sample; each cycle moves two messages (a request and its response). */
const CYCLES_PER_SAMPLE = 250_000;

interface ChildResult {
  readonly abi: string;
  readonly entryBytes: number;
  readonly ringSlots: number;
  readonly medians: { readonly ring: number; readonly ringFullFidelity: number; readonly baseline: number };
}


/** One sample of the ring loop: messages per second. */
function sampleRing(abi: PagingAbi, keepOpaque: boolean): number {
  const sring = SharedRing.create(abi.entryBytes);
  const front = new FrontRing(sring);
  const back = new BackRing(sring);
  const slots = abi.ringSlots;
  const requests = Array.from({ length: slots }, (_, i) => abi.create({ gfn: 0x10000 + i * 7, vcpuId: i & 3, flags: 1 }));
  const drained: PagingMessage[] = [];
  const responses: PagingMessage[] = [];
  const start = performance.now();
  for (let done = 0; done < CYCLES_PER_SAMPLE; done += slots) {
    front.pushRequests(abi, requests, slots);
    const n = back.drainRequests(abi, drained, slots, keepOpaque);
    back.pushResponses(abi, drained, n);
    front.consumeResponses(abi, responses, slots, keepOpaque);
  }
  return (2 * CYCLES_PER_SAMPLE) / ((performance.now() - start) / 1000);
}

interface PlainMessage {
  gfn: number;
  vcpuId: number;
  p2mt: number;
  flags: number;
  reason: number;
}

function plain(gfn = 0, vcpuId = 0, flags = 0): PlainMessage {
  return { gfn, vcpuId, p2mt: 0, flags, reason: 0 };
}

function copy(from: PlainMessage, to: PlainMessage): void {
  to.gfn = from.gfn;
  to.vcpuId = from.vcpuId;
  to.p2mt = from.p2mt;
  to.flags = from.flags;
  to.reason = from.reason;
}

/** One sample of the baseline: the same batches through an array of objects instead of ring bytes. */
function sampleBaseline(slots: number): number {
  const ring = Array.from({ length: slots }, () => plain());
  const requests = Array.from({ length: slots }, (_, i) => plain(0x10000 + i * 7, i & 3, 1));
  const drained = Array.from({ length: slots }, () => plain());
  const responses = Array.from({ length: slots }, () => plain());
  let reqProd = 0;
  let reqCons = 0;
  let rspProd = 0;
  let rspCons = 0;
  const mask = slots - 1;
  const start = performance.now();
  for (let done = 0; done < CYCLES_PER_SAMPLE; done += slots) {
    for (let i = 0; i < slots; i++) copy(requests[i]!, ring[(reqProd + i) & mask]!);
    reqProd = (reqProd + slots) >>> 0;
    let n = 0;
    for (; reqCons !== reqProd; reqCons = (reqCons + 1) >>> 0) copy(ring[reqCons & mask]!, drained[n++]!);
    for (let i = 0; i < n; i++) copy(drained[i]!, ring[(rspProd + i) & mask]!);
    rspProd = (rspProd + n) >>> 0;
    for (let m = 0; rspCons !== rspProd; rspCons = (rspCons + 1) >>> 0) copy(ring[rspCons & mask]!, responses[m++]!);
  }
  return (2 * CYCLES_PER_SAMPLE) / ((performance.now() - start) / 1000);
}

function runChild(abiId: string): ChildResult {
  const abi = BUILTIN_ABIS.find((candidate) => candidate.id === abiId);
  if (abi === undefined) throw new Error(`unknown ABI ${abiId}`);
  const ring: number[] = [];
  const ringFullFidelity: number[] = [];
  const baseline: number[] = [];
  for (let s = 0; s < WARMUP_SAMPLES + SAMPLES; s++) {
    const r = sampleRing(abi, false);
    const f = sampleRing(abi, true);
    const b = sampleBaseline(abi.ringSlots);
    if (s < WARMUP_SAMPLES) continue;
    ring.push(r);
    ringFullFidelity.push(f);
    baseline.push(b);
  }
  return {
    abi: abi.id,
    entryBytes: abi.entryBytes,
    ringSlots: abi.ringSlots,
    medians: { ring: median(ring), ringFullFidelity: median(ringFullFidelity), baseline: median(baseline) },
  };
}

function main(): void {
  const childAt = process.argv.indexOf('--child');
  if (childAt >= 0) {
    process.stdout.write(JSON.stringify(runChild(process.argv[childAt + 1]!)));
    return;
  }
  const self = fileURLToPath(import.meta.url);
  const results = BUILTIN_ABIS.map((abi) => {
    const child = spawnSync(process.execPath, [...process.execArgv, self, '--child', abi.id], { encoding: 'utf8' });
    if (child.status !== 0) throw new Error(`bench child for ${abi.id} failed: ${child.stderr}`);
    const result = JSON.parse(child.stdout) as ChildResult;
    const { ring, ringFullFidelity, baseline } = result.medians;
    const row = {
      ...result,
      messagesPerSecond: { ring: Math.round(ring), ringFullFidelity: Math.round(ringFullFidelity), baseline: Math.round(baseline) },
      ratioToBaseline: { ring: +(ring / baseline).toFixed(3), ringFullFidelity: +(ringFullFidelity / baseline).toFixed(3) },
      meetsTarget: { ring: ring >= TARGET_MESSAGES_PER_SECOND, ringFullFidelity: ringFullFidelity >= TARGET_MESSAGES_PER_SECOND },
    };
    const m = (x: number) => `${(x / 1e6).toFixed(2)} M/s`;
    console.log(
      `${abi.id.padEnd(15)} ring ${m(ring)}  full-fidelity ${m(ringFullFidelity)}  baseline ${m(baseline)}  ratio ${row.ratioToBaseline.ring}`,
    );
    return { abi: row.abi, entryBytes: row.entryBytes, ringSlots: row.ringSlots, messagesPerSecond: row.messagesPerSecond, ratioToBaseline: row.ratioToBaseline, meetsTarget: row.meetsTarget };
  });
  const out = writeBenchResults('abi-ring', {
    method:
      'Per ABI, in its own child process: request/response cycles through one ring page (requests encoded and pushed by the front end, drained and decoded by the back end, answered with responses that travel back the same way). Each message counts once. ring = decode of the named fields (the pager hot path, keepOpaque false); ringFullFidelity = decode also copies the opaque bytes (byte-identical re-encode); baseline = the same batches copied through a plain array of objects. ' +
      `${WARMUP_SAMPLES} warm-up then ${SAMPLES} interleaved samples of ${CYCLES_PER_SAMPLE} cycles; medians reported.`,
    targetMessagesPerSecond: TARGET_MESSAGES_PER_SECOND,
    results,
  });
  console.log(`written ${out}`);
}

main();
