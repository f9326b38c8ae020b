import { ConfigError, type PolicyContext, type VictimPolicy } from '@pagevisor/core';
import { ArcPolicy } from './arc-policy.js';
import { BeladyPolicy } from './belady-policy.js';
import { ClockPolicy, FifoPolicy, LruPolicy, MruPolicy, SievePolicy } from './list-policies.js';
import { RandomPolicy } from './random-policy.js';
import { S3FifoPolicy } from './s3fifo-policy.js';

/**
 * Where a policy can run: on a live guest, in trace simulation (which starts empty and feeds every
 * access), or both.
 *
 * @example
 * ```ts
 * const where: PolicyRuns = 'both';
 * ```
 */
export type PolicyRuns = 'live' | 'simulation' | 'both';

/** One row of a policy table: how to make the policy, and where it runs (and why not elsewhere). */
export interface PolicyEntry {
  readonly runs: PolicyRuns;
  /** Why it does not run where it does not, for the error that says so. */
  readonly whyNot?: string;
  create(context: PolicyContext): VictimPolicy;
}

/**
 * The classic policies, one row each; `clockN` (N = 1 … 8) is CLOCK with an N-bit counter.
 *
 * @internal
 */
export const CLASSIC_POLICY_TABLE = {
  lru: { runs: 'both', create: (c) => new LruPolicy(c) },
  fifo: { runs: 'both', create: (c) => new FifoPolicy(c) },
  mru: { runs: 'simulation', whyNot: 'mru evicts the page just faulted in, which livelocks a live guest: it runs in trace simulation only', create: (c) => new MruPolicy(c) },
  clock: { runs: 'both', create: (c) => new ClockPolicy(c, 1) },
  clock2: { runs: 'both', create: (c) => new ClockPolicy(c, 2) },
  clock3: { runs: 'both', create: (c) => new ClockPolicy(c, 3) },
  sieve: { runs: 'both', create: (c) => new SievePolicy(c) },
  arc: { runs: 'both', create: (c) => new ArcPolicy(c) },
  s3fifo: { runs: 'both', create: (c) => new S3FifoPolicy(c) },
  belady: { runs: 'simulation', whyNot: 'belady needs the future: it runs in trace simulation only', create: (c) => new BeladyPolicy(c) },
  random: { runs: 'both', create: (c) => new RandomPolicy(c) },
} as const satisfies Record<string, PolicyEntry>;

/**
 * The classic policies by name; `clockN` (N = 1 … 8) is CLOCK with an N-bit counter.
 *
 * @example
 * ```ts
 * for (const name of CLASSIC_POLICIES) console.log(name, simulateTrace(ids, distinct, (ctx) => createPolicy(name, ctx), 1000, name === 'belady').misses);
 * ```
 */
export const CLASSIC_POLICIES = Object.keys(CLASSIC_POLICY_TABLE) as (keyof typeof CLASSIC_POLICY_TABLE)[];

const CLOCK_N = /^clock([1-8])$/;

/** The classic policy `name`'s row: a named one, or `clockN` for N from 1 to 8. */
export function classicPolicyEntry(name: string): PolicyEntry | undefined {
  if (Object.hasOwn(CLASSIC_POLICY_TABLE, name)) return CLASSIC_POLICY_TABLE[name as keyof typeof CLASSIC_POLICY_TABLE];
  const clock = CLOCK_N.exec(name);
  return clock === null ? undefined : { runs: 'both', create: (c) => new ClockPolicy(c, Number(clock[1])) };
}

/**
 * Makes the classic policy `name` (one of {@link CLASSIC_POLICIES}, or `clockN` for any N from 1 to 8).
 *
 * @throws {@link @pagevisor/core!ConfigError | ConfigError} for a name it does not know
 */
export function createClassicPolicy(name: string, context: PolicyContext): VictimPolicy {
  const entry = classicPolicyEntry(name);
  if (entry === undefined) throw new ConfigError('policy', `no policy "${name}" (policies: ${CLASSIC_POLICIES.join(', ')}, clockN for N = 1 … 8)`);
  return entry.create(context);
}
