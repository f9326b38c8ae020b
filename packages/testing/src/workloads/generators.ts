import { SeededRandom } from '../sim/seeded-random.js';
import { denseIds } from './dense-ids.js';
import type { Trace } from './read-trace.js';
import { GuestOp, type Workload } from './workload.js';

/**
 * Options every generator takes.
 *
 * @example
 * ```ts
 * zipfWorkload({ pages: 4096, accesses: 100_000, seed: 1 });
 * ```
 */
export interface GeneratorOptions {
  /** Page indexes `[0, pages)` the stream touches. */
  readonly pages: number;
  /** Number of operations. */
  readonly accesses: number;
  /** Seed; the same seed gives the same stream. */
  readonly seed?: number;
}

function accessWorkload(name: string, options: GeneratorOptions, pageAt: (i: number) => number): Workload {
  const ops = new Uint8Array(options.accesses);
  const targets = new Uint32Array(options.accesses);
  for (let i = 0; i < options.accesses; i++) targets[i] = pageAt(i);
  return { name, pages: options.pages, ops, targets };
}

/**
 * Page popularity following Zipf's law with exponent `alpha` (default 0.99), hot pages scattered over
 * memory by a seeded affine permutation. Ranks are drawn by inverting the continuous Zipf CDF, O(1) per
 * access at any size.
 *
 * @example
 * ```ts
 * const workload = zipfWorkload({ pages: 4096, accesses: 100_000, seed: 1 });
 * await new GuestRunner(hv, domid, workload).run(() => pager.settle());
 * ```
 */
export function zipfWorkload(options: GeneratorOptions & { readonly alpha?: number }): Workload {
  const random = new SeededRandom(options.seed ?? 1);
  const n = options.pages;
  const alpha = options.alpha ?? 0.99;
  const oneMinus = 1 - alpha;
  const span = Math.abs(oneMinus) < 1e-9 ? Math.log(n + 1) : (Math.pow(n + 1, oneMinus) - 1) / oneMinus;
  const multiplier = coprimeMultiplier(n, random);
  const offset = random.int(n);
  return accessWorkload('zipf', options, () => {
    const u = random.float() * span;
    const x = Math.abs(oneMinus) < 1e-9 ? Math.exp(u) : Math.pow(u * oneMinus + 1, 1 / oneMinus);
    const rank = Math.min(n - 1, Math.max(0, Math.floor(x) - 1));
    return (rank * multiplier + offset) % n;
  });
}

/**
 * A Zipf stream whose working set moves: `phases` parts (default 4), each scattering popularity over
 * memory with a permutation of its own, so the hot pages of one phase are cold in the next and a
 * policy must let them go.
 *
 * @example
 * ```ts
 * const workload = phasedWorkload({ pages: 4096, accesses: 100_000, seed: 1, phases: 4 });
 * ```
 */
export function phasedWorkload(options: GeneratorOptions & { readonly alpha?: number; readonly phases?: number }): Workload {
  const phases = Math.max(1, Math.min(options.phases ?? 4, options.accesses));
  const targets = new Uint32Array(options.accesses);
  for (let phase = 0, at = 0; phase < phases; phase++) {
    const accesses = Math.floor((options.accesses * (phase + 1)) / phases) - at;
    const part = zipfWorkload({ ...options, accesses, seed: ((options.seed ?? 1) + phase * 0x9e3779b1) >>> 0 });
    targets.set(part.targets, at);
    at += accesses;
  }
  return { name: 'phases', pages: options.pages, ops: new Uint8Array(options.accesses), targets };
}

/**
 * A loop over the first `loop` pages (default all), again and again: the case LRU gets wrong.
 *
 * @example
 * ```ts
 * const workload = loopWorkload({ pages: 4096, accesses: 100_000, seed: 1, loop: 3000 });
 * await new GuestRunner(hv, domid, workload).run(() => pager.settle());
 * ```
 */
export function loopWorkload(options: GeneratorOptions & { readonly loop?: number }): Workload {
  const loop = Math.max(1, Math.min(options.loop ?? options.pages, options.pages));
  return accessWorkload('loop', options, (i) => i % loop);
}

/**
 * A sequential scan over every page, repeated.
 *
 * @example
 * ```ts
 * const workload = scanWorkload({ pages: 4096, accesses: 100_000, seed: 1 });
 * ```
 */
export function scanWorkload(options: GeneratorOptions): Workload {
  return accessWorkload('scan', options, (i) => i % options.pages);
}

/**
 * A Zipf stream with the rest of guest life mixed in: writes (30%), balloon out and in (1% each),
 * backend grant maps (1%) and hypervisor copies (1%).
 *
 * @example
 * ```ts
 * const workload = mixWorkload({ pages: 4096, accesses: 50_000, seed: 1 }); // accesses, balloon drops, grant maps, hypervisor copies
 * ```
 */
export function mixWorkload(options: GeneratorOptions & { readonly alpha?: number }): Workload {
  const base = zipfWorkload(options);
  const random = new SeededRandom((options.seed ?? 1) ^ 0x6d6978);
  const ops = base.ops;
  for (let i = 0; i < ops.length; i++) {
    const r = random.int(1000);
    ops[i] = r < 10 ? GuestOp.balloonOut : r < 20 ? GuestOp.balloonIn : r < 30 ? GuestOp.grantMap : r < 40 ? GuestOp.hvmCopy : r < 340 ? GuestOp.write : GuestOp.read;
  }
  return { ...base, name: 'mix' };
}

/**
 * A trace replayed as reads (its ids renumbered densely).
 *
 * @example
 * ```ts
 * const workload = traceWorkload(readTrace('lirs-sprite.trace.gz', { format: 'lirs' }));
 * ```
 */
export function traceWorkload(trace: Trace): Workload {
  const { ids, distinct } = denseIds(trace.ids);
  return { name: trace.name, pages: distinct, ops: new Uint8Array(ids.length), targets: ids };
}

/** A multiplier coprime with `n`, so `rank * m + b mod n` permutes `[0, n)`. */
function coprimeMultiplier(n: number, random: SeededRandom): number {
  if (n <= 2) return 1;
  for (;;) {
    const m = 1 + random.int(n - 1);
    if (gcd(m, n) === 1) return m;
  }
}

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}
