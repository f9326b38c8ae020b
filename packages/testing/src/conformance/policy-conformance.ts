import type { PolicyContext, VictimPolicy } from '@pagevisor/core';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { SeededRandom } from '../sim/seeded-random.js';
import { ConformanceFailure, runConformance, type ConformanceCase, type ConformanceResult } from './conformance-case.js';

/**
 * How the suite gets policies.
 *
 * @example
 * ```ts
 * const subject: PolicyConformanceSubject = { name: 'mine', create: (ctx) => new MyPolicy(ctx), liveOnly: true };
 * ```
 */
export interface PolicyConformanceSubject {
  /** Names the policy in case names. */
  readonly name: string;
  /** Builds the policy for a context (the suite builds several, for a live guest and for trace simulation). */
  create(context: PolicyContext): VictimPolicy;
  /** The policy runs only in trace simulation (Belady); skips the live-guest cases. */
  readonly simulationOnly?: boolean;
  /** The policy runs only on a live guest (xenpaging); skips the trace-simulation cases. */
  readonly liveOnly?: boolean;
}

const PAGES = 4096;
const NEVER_EVICT = [0, 5, 100, 4095];
const RESIDENT = 0;
const IN_FLIGHT = 1;
const OUT = 2;
const DROPPED = 3;

/**
 * The victim policy conformance suite (docs/guides/writing-a-policy.md), as cases for any test runner: a policy never picks a
 * never-evict gfn, a gfn that is out or in flight (a dropped one may be offered again), or a page not in
 * a simulated cache; never-evict pages do not hide the pages it could evict; it respects the
 * batch size and writes nothing past what it returns; the same seed and calls give the same victims;
 * and the typed arrays it allocates stay within its declared bytes per page.
 *
 * @example
 * ```ts
 * import { it } from 'vitest';
 * import { policyConformanceCases } from '@pagevisor/testing';
 *
 * for (const c of policyConformanceCases({ name: 'mine', create: (ctx) => new MyPolicy(ctx) })) it(c.name, c.run);
 * ```
 */
export function policyConformanceCases(subject: PolicyConformanceSubject): ConformanceCase[] {
  const cases: Array<[string, () => Promise<void>, boolean]> = [
    ['on a live guest: never picks a never-evict gfn, a gfn that is out or in flight; respects batch sizes', async () => void liveRun(subject, 7), !subject.simulationOnly],
    ['on a live guest: never-evict pages do not hide the pages it may evict, down to the last one', async () => aroundNeverEvict(subject, 13), !subject.simulationOnly],
    ['on a live guest: the same seed and the same calls give the same victims', async () => sameVictims(liveRun(subject, 11), liveRun(subject, 11)), !subject.simulationOnly],
    ['in trace simulation: always evicts a resident page of a full cache', async () => void simulationRun(subject, 3), !subject.liveOnly],
    ['in trace simulation: the same seed and the same requests give the same victims', async () => sameVictims(simulationRun(subject, 5), simulationRun(subject, 5)), !subject.liveOnly],
    ['keeps no more memory (heap and typed arrays) than its declared bytes per page, with every page seen', async () => memoryWithinDeclared(subject), true],
  ];
  return cases.filter(([, , applies]) => applies).map(([name, run]) => ({ name: `${subject.name}: ${name}`, run }));
}

/**
 * Runs every policy case and returns each outcome (for use outside a test runner), as
 * {@link runStoreConformance} does for stores.
 *
 * @example
 * ```ts
 * const failed = (await runPolicyConformance({ name: 'mine', create: (ctx) => new MyPolicy(ctx) })).filter((r) => r.error);
 * ```
 */
export function runPolicyConformance(subject: PolicyConformanceSubject): Promise<ConformanceResult[]> {
  return runConformance(policyConformanceCases(subject));
}

function context(seed: number, startsEmpty: boolean, pages = PAGES, future?: Int32Array): PolicyContext {
  const neverEvict = new Uint8Array(pages);
  if (!startsEmpty) for (const gfn of NEVER_EVICT) if (gfn < pages) neverEvict[gfn] = 1;
  return { maxPages: pages, neverEvict, seed, startsEmpty, future };
}

/** A pager's life in miniature: batches of victims, evictions and refusals, page-ins, accesses, drops. */
function liveRun(subject: PolicyConformanceSubject, seed: number): number[] {
  const ctx = context(seed, false);
  const policy = subject.create(ctx);
  const random = new SeededRandom(seed);
  const state = new Uint8Array(PAGES);
  const out = new Uint32Array(128);
  const victims: number[] = [];
  for (let round = 0; round < 300; round++) {
    policy.setCapacity?.(PAGES - 1024 - random.int(1024));
    const n = 1 + random.int(64);
    out.fill(0xffffffff);
    const k = policy.chooseVictims(n, out);
    if (round === 0 && k === 0) throw new ConformanceFailure(`chose no victim of ${PAGES - NEVER_EVICT.length} resident pages above the target: a policy must evict`);
    if (!Number.isInteger(k) || k < 0 || k > n) throw new ConformanceFailure(`chooseVictims(${n}) returned ${k}`);
    for (let i = k; i < out.length; i++) if (out[i] !== 0xffffffff) throw new ConformanceFailure(`chooseVictims(${n}) returned ${k} but wrote out[${i}]`);
    for (let i = 0; i < k; i++) {
      const gfn = out[i]!;
      if (gfn >= PAGES) throw new ConformanceFailure(`picked gfn ${gfn}, beyond the ${PAGES} pages`);
      if (ctx.neverEvict[gfn] === 1) throw new ConformanceFailure(`picked never-evict gfn ${gfn}`);
      // A dropped gfn may be offered again: the guest can repopulate it without the pager hearing of it,
      // and nomination refuses it while it is a hole (xenpaging's policy_notify_dropped did the same).
      if (state[gfn] === IN_FLIGHT || state[gfn] === OUT) throw new ConformanceFailure(`picked gfn ${gfn}, which is ${state[gfn] === OUT ? 'out' : 'in flight'}`);
      state[gfn] = IN_FLIGHT;
      victims.push(gfn);
    }
    for (let i = 0; i < k; i++) {
      const gfn = out[i]!;
      if (random.int(5) === 0) {
        policy.notifyNominationFailed(gfn);
        state[gfn] = RESIDENT;
      } else {
        policy.notifyPagedOut(gfn);
        state[gfn] = OUT;
      }
    }
    for (let j = 0; j < 40; j++) {
      const gfn = random.int(PAGES);
      if (state[gfn] === OUT && random.int(2) === 0) {
        policy.notifyAccess(gfn, round * 100 + j);
        policy.notifyPagedIn(gfn, true);
        state[gfn] = RESIDENT;
      } else if (state[gfn] === RESIDENT) {
        policy.notifyAccess(gfn, round * 100 + j);
      } else if (state[gfn] === DROPPED) {
        policy.notifyPagedIn(gfn, false); // populated again
        state[gfn] = RESIDENT;
      }
    }
    const dropped = random.int(PAGES);
    if (random.int(4) === 0 && state[dropped] !== IN_FLIGHT && ctx.neverEvict[dropped] === 0) {
      policy.notifyDropped(dropped);
      state[dropped] = DROPPED;
    }
  }
  return victims;
}

/**
 * A live guest of 256 pages, an eighth of them never-evict, paged out to the last page it may evict,
 * in batches: each call must find a victim while one is left, however the never-evict pages sit among
 * the ones the policy would rather evict.
 */
function aroundNeverEvict(subject: PolicyConformanceSubject, seed: number): void {
  const pages = 256;
  const ctx = context(seed, false, pages);
  const random = new SeededRandom(seed);
  for (let gfn = 0; gfn < pages; gfn++) if (random.int(8) === 0) ctx.neverEvict[gfn] = 1;
  const policy = subject.create(ctx);
  policy.setCapacity?.(pages >> 2);
  for (let t = 0; t < pages * 4; t++) policy.notifyAccess(random.int(pages), t);
  const state = new Uint8Array(pages);
  const out = new Uint32Array(16);
  let left = 0;
  for (let gfn = 0; gfn < pages; gfn++) if (ctx.neverEvict[gfn] === 0) left++;
  while (left > 0) {
    const n = 1 + random.int(out.length);
    const k = policy.chooseVictims(n, out);
    if (k === 0) throw new ConformanceFailure(`chooseVictims(${n}) found nothing, with ${left} resident pages it may evict`);
    for (let i = 0; i < k; i++) {
      const gfn = out[i]!;
      if (gfn >= pages || state[gfn] !== RESIDENT) throw new ConformanceFailure(`picked gfn ${gfn}, which is not resident`);
      if (ctx.neverEvict[gfn] === 1) throw new ConformanceFailure(`picked never-evict gfn ${gfn}`);
      policy.notifyPagedOut(gfn);
      state[gfn] = OUT;
      left--;
    }
  }
}

/** A trace of skewed requests through a cache of a quarter of its pages, libCacheSim's request path. */
function simulationRun(subject: PolicyConformanceSubject, seed: number): number[] {
  const pages = 2048;
  const random = new SeededRandom(seed);
  const trace = Uint32Array.from({ length: 20_000 }, () => (random.int(4) === 0 ? random.int(pages) : random.int(pages >> 3)));
  const future = new Int32Array(trace.length);
  const last = new Int32Array(pages).fill(-1);
  for (let t = trace.length - 1; t >= 0; t--) {
    future[t] = last[trace[t]!]!;
    last[trace[t]!] = t;
  }
  const policy = subject.create(context(seed, true, pages, future));
  const capacity = pages >> 2;
  policy.setCapacity?.(capacity);
  const resident = new Uint8Array(pages);
  const victim = new Uint32Array(1);
  const victims: number[] = [];
  let count = 0;
  for (let t = 0; t < trace.length; t++) {
    const page = trace[t]!;
    policy.notifyAccess(page, t);
    if (resident[page] === 1) continue;
    if (count >= capacity) {
      if (policy.chooseVictims(1, victim) !== 1) throw new ConformanceFailure(`request ${t}: no victim from a full cache of ${capacity}`);
      if (resident[victim[0]!] !== 1) throw new ConformanceFailure(`request ${t}: picked page ${victim[0]}, which is not in the cache`);
      resident[victim[0]!] = 0;
      policy.notifyPagedOut(victim[0]!);
      victims.push(victim[0]!);
      count--;
    }
    policy.notifyPagedIn(page, true);
    resident[page] = 1;
    count++;
  }
  return victims;
}

function sameVictims(a: number[], b: number[]): void {
  if (a.length !== b.length) throw new ConformanceFailure(`two runs with the same seed chose ${a.length} and ${b.length} victims`);
  const at = a.findIndex((gfn, i) => gfn !== b[i]);
  if (at >= 0) throw new ConformanceFailure(`two runs with the same seed differ at victim ${at}: ${a[at]} and ${b[at]}`);
}

/**
 * V8's full collection: the one `--expose-gc` gives, or, when the process was started without it (as
 * test runners start their workers), one exposed now in a fresh context: without a collection the
 * garbage of whatever ran before counts as the policy's memory.
 */
function collector(): () => void {
  const exposed = (globalThis as { gc?: () => void }).gc;
  if (exposed) return exposed;
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

/** Heap and typed-array bytes held now, after a full collection. */
function heldBytes(): number {
  collector()();
  const { heapUsed, arrayBuffers } = process.memoryUsage();
  return heapUsed + arrayBuffers;
}

/**
 * Memory a policy of 1 Mi pages holds once it has seen every page (each paged in and accessed once),
 * against `bytesPerPage`: typed arrays and heap alike, so a `Map` with an object per gfn is caught.
 * The margin (1 byte per page) covers what the runtime allocates meanwhile.
 */
function memoryWithinDeclared(subject: PolicyConformanceSubject): void {
  const pages = 1 << 20;
  const startsEmpty = subject.simulationOnly === true || subject.liveOnly !== true;
  const ctx = context(1, startsEmpty, pages, subject.simulationOnly ? new Int32Array(pages).fill(-1) : undefined);
  const before = heldBytes();
  const policy = subject.create(ctx);
  policy.setCapacity?.(pages);
  for (let gfn = 0; gfn < pages; gfn++) {
    policy.notifyAccess(gfn, gfn);
    if (startsEmpty) policy.notifyPagedIn(gfn, true);
  }
  const perPage = (heldBytes() - before) / pages;
  if (perPage > policy.bytesPerPage + 1) throw new ConformanceFailure(`holds ${perPage.toFixed(2)} bytes per page after seeing every page, declares ${policy.bytesPerPage}`);
}
