import { ConfigError, type PolicyContext, type VictimPolicy } from '@pagevisor/core';
import { ArcPolicy } from './arc-policy.js';
import { BeladyPolicy } from './belady-policy.js';
import { ClockPolicy, FifoPolicy, LruPolicy, MruPolicy, SievePolicy } from './list-policies.js';
import { RandomPolicy } from './random-policy.js';
import { S3FifoPolicy } from './s3fifo-policy.js';

/**
 * The classic policies by name; `clockN` (N = 1 … 8) is CLOCK with an N-bit counter.
 *
 * @example
 * ```ts
 * for (const name of CLASSIC_POLICIES) console.log(name, simulateTrace(ids, distinct, (ctx) => createPolicy(name, ctx), 1000, name === 'belady').misses);
 * ```
 */
export const CLASSIC_POLICIES = ['lru', 'fifo', 'mru', 'clock', 'clock2', 'clock3', 'sieve', 'arc', 's3fifo', 'belady', 'random'] as const;

const CLOCK_N = /^clock([1-8])?$/;

/** Whether `name` is a classic policy: one of {@link CLASSIC_POLICIES}, or `clockN` for N from 1 to 8. */
export function isClassicPolicyName(name: string): boolean {
  return (CLASSIC_POLICIES as readonly string[]).includes(name) || CLOCK_N.test(name);
}

/**
 * Makes the classic policy `name` (one of {@link CLASSIC_POLICIES}, or `clockN` for any N from 1 to 8).
 *
 * @throws {@link @pagevisor/core!ConfigError | ConfigError} for a name it does not know, and for
 * `belady` outside trace simulation
 */
export function createClassicPolicy(name: string, context: PolicyContext): VictimPolicy {
  switch (name) {
    case 'lru':
      return new LruPolicy(context);
    case 'fifo':
      return new FifoPolicy(context);
    case 'mru':
      return new MruPolicy(context);
    case 'sieve':
      return new SievePolicy(context);
    case 'arc':
      return new ArcPolicy(context);
    case 's3fifo':
      return new S3FifoPolicy(context);
    case 'belady':
      return new BeladyPolicy(context);
    case 'random':
      return new RandomPolicy(context);
  }
  const clock = CLOCK_N.exec(name);
  if (clock) return new ClockPolicy(context, Number(clock[1] ?? 1));
  throw new ConfigError('policy', `no policy "${name}" (policies: ${CLASSIC_POLICIES.join(', ')}, clockN for N = 1 … 8)`);
}
