import type { PolicyEntry } from '../classic/policy-registry.js';
import { FifoMergePolicy } from './fifo-merge-policy.js';
import { GdsfPolicy } from './gdsf-policy.js';
import { CacheusPolicy } from './cacheus-policy.js';
import { CarPolicy } from './car-policy.js';
import { ClockProPolicy } from './clockpro-policy.js';
import { CrLfuPolicy, LfuPolicy } from './lfu-policy.js';
import { SfifoPolicy, SlruPolicy } from './slru-policy.js';
import { HyperbolicPolicy } from './hyperbolic-policy.js';
import { LeCaRPolicy } from './lecar-policy.js';
import { LhdPolicy } from './lhd-policy.js';
import { LirsPolicy } from './lirs-policy.js';
import { LpSfifoPolicy } from './lp-sfifo-policy.js';
import { QdlpPolicy } from './qdlp-policy.js';
import { S3FifodPolicy } from './s3fifod-policy.js';
import { S3LruPolicy } from './s3lru-policy.js';
import { SrLruPolicy } from './sr-lru-policy.js';
import { TwoQPolicy } from './twoq-policy.js';
import { WTinyLfuPolicy } from './wtinylfu-policy.js';

/**
 * The peer policies: other caches' algorithms, each matched to libCacheSim's counts (`@pagevisor/testing`'s
 * `expected-peers.tsv` fixture), one row each.
 *
 * @internal
 */
export const PEER_POLICY_TABLE = {
  lfu: { runs: 'both', create: (c) => new LfuPolicy(c) },
  'cr-lfu': { runs: 'simulation', whyNot: 'cr-lfu evicts the newest page of the lowest count, the page just faulted in, which livelocks a live guest as mru does: it runs in trace simulation only', create: (c) => new CrLfuPolicy(c) },
  twoq: { runs: 'both', create: (c) => new TwoQPolicy(c) },
  slru: { runs: 'both', create: (c) => new SlruPolicy(c) },
  sfifo: { runs: 'both', create: (c) => new SfifoPolicy(c) },
  'sr-lru': { runs: 'both', create: (c) => new SrLruPolicy(c) },
  qdlp: { runs: 'both', create: (c) => new QdlpPolicy(c) },
  s3fifod: { runs: 'both', create: (c) => new S3FifodPolicy(c) },
  s3lru: { runs: 'both', create: (c) => new S3LruPolicy(c) },
  'lp-sfifo': { runs: 'both', create: (c) => new LpSfifoPolicy(c) },
  gdsf: { runs: 'both', create: (c) => new GdsfPolicy(c) },
  lirs: { runs: 'both', create: (c) => new LirsPolicy(c) },
  wtinylfu: { runs: 'both', create: (c) => new WTinyLfuPolicy(c) },
  'wtinylfu-w0.1': { runs: 'both', create: (c) => new WTinyLfuPolicy(c, { window: 0.1 }) },
  hyperbolic: { runs: 'both', create: (c) => new HyperbolicPolicy(c) },
  lecar: { runs: 'both', create: (c) => new LeCaRPolicy(c) },
  'fifo-merge': { runs: 'both', create: (c) => new FifoMergePolicy(c) },
  car: { runs: 'both', create: (c) => new CarPolicy(c) },
  cacheus: { runs: 'both', create: (c) => new CacheusPolicy(c) },
  lhd: { runs: 'both', create: (c) => new LhdPolicy(c) },
  clockpro: { runs: 'both', create: (c) => new ClockProPolicy(c) },
} as const satisfies Record<string, PolicyEntry>;

/**
 * The peer policies by name.
 *
 * @example
 * ```ts
 * for (const name of PEER_POLICIES) console.log(name, simulateTrace(ids, distinct, (ctx) => createPolicy(name, ctx), 1000).misses);
 * ```
 */
export const PEER_POLICIES = Object.keys(PEER_POLICY_TABLE) as (keyof typeof PEER_POLICY_TABLE)[];
