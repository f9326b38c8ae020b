import { ConfigError, VICTIM_POLICY, type PagevisorPlugin, type PolicyContext, type VictimPolicy } from '@pagevisor/core';
import { AccessTimestampPolicy } from './access-timestamp-policy.js';
import { AdaptivePolicy } from './adaptive/adaptive-policy.js';
import { CLASSIC_POLICY_TABLE, classicPolicyEntry, type PolicyEntry, type PolicyRuns } from './classic/policy-registry.js';
import { XenpagingPolicy } from './xenpaging-policy.js';
import { PEER_POLICY_TABLE } from './peers/peer-policy-table.js';

/** Every policy this package ships, one row each: the one table every list and check below is read from. */
const POLICY_TABLE = {
  xenpaging: { runs: 'live', whyNot: 'xenpaging sweeps gfns and sees no accesses: it does not run in trace simulation', create: (c) => new XenpagingPolicy(c) },
  adaptive: { runs: 'both', create: (c) => new AdaptivePolicy(c) },
  'access-timestamp': { runs: 'both', create: (c) => new AccessTimestampPolicy(c) },
  ...CLASSIC_POLICY_TABLE,
  ...PEER_POLICY_TABLE,
} as const satisfies Record<PolicyName, PolicyEntry>;

/**
 * The name of a policy this package ships (`clockN` for N = 1 … 8 is accepted too, as a string).
 *
 * @example
 * ```ts
 * const name: PolicyName = 's3fifo';
 * ```
 */
export type PolicyName =
  | 'xenpaging'
  | 'adaptive'
  | 'access-timestamp'
  | 'lru'
  | 'fifo'
  | 'mru'
  | 'clock'
  | 'clock2'
  | 'clock3'
  | 'sieve'
  | 'arc'
  | 's3fifo'
  | 'belady'
  | 'random'
  | 'lfu'
  | 'twoq'
  | 'slru'
  | 'sfifo'
  | 'cr-lfu'
  | 'sr-lru'
  | 'qdlp'
  | 's3fifod'
  | 's3lru'
  | 'lp-sfifo'
  | 'gdsf'
  | 'lirs'
  | 'wtinylfu'
  | 'wtinylfu-w0.1'
  | 'hyperbolic'
  | 'lecar'
  | 'fifo-merge'
  | 'car'
  | 'cacheus'
  | 'lhd'
  | 'clockpro';

/**
 * Every policy this package ships, by name (plus `clockN` for N = 1 … 8).
 *
 * @example
 * ```ts
 * POLICY_NAMES.includes('adaptive'); // true
 * ```
 */
export const POLICY_NAMES: readonly PolicyName[] = Object.keys(POLICY_TABLE) as PolicyName[];

/**
 * Where the policy `name` runs (`clockN` included), or `undefined` for a name this package does not have.
 *
 * @example
 * ```ts
 * policyRuns('xenpaging'); // 'live': it sees no accesses, so trace simulation cannot run it
 * policyRuns('belady'); // 'simulation': it needs the future
 * policyRuns('clock4'); // 'both'
 * ```
 */
export function policyRuns(name: string): PolicyRuns | undefined {
  return policyEntry(name)?.runs;
}

/**
 * Policies that choose among resident pages by their accesses, so trace simulation can run them.
 *
 * @example
 * ```ts
 * const names = SIMULATABLE_POLICIES.filter((name) => name !== 'belady');
 * ```
 */
export const SIMULATABLE_POLICIES: readonly PolicyName[] = POLICY_NAMES.filter((name) => POLICY_TABLE[name].runs !== 'live');

/**
 * Policies a live guest can run: all but `belady`, which needs the future, and `mru` and `cr-lfu`, which
 * evict the page just faulted in, so they page a page out again before the vcpu that wanted it can run
 * (a livelock).
 *
 * @example
 * ```ts
 * console.log(`--policy ${LIVE_POLICIES.join(' | ')}`);
 * ```
 */
export const LIVE_POLICIES: readonly PolicyName[] = POLICY_NAMES.filter((name) => POLICY_TABLE[name].runs !== 'simulation');

/**
 * Policies for trace simulation only (`belady`, `mru`, `cr-lfu`; see {@link LIVE_POLICIES}).
 *
 * @example
 * ```ts
 * SIMULATION_ONLY_POLICIES.includes('belady'); // true
 * ```
 */
export const SIMULATION_ONLY_POLICIES: readonly PolicyName[] = POLICY_NAMES.filter((name) => POLICY_TABLE[name].runs === 'simulation');

/**
 * Whether trace simulation can run the policy `name`: one of {@link SIMULATABLE_POLICIES}, or `clockN`.
 *
 * @example
 * ```ts
 * isSimulatablePolicy('clock4'); // true
 * isSimulatablePolicy('xenpaging'); // false: it sees no accesses
 * ```
 */
export function isSimulatablePolicy(name: string): boolean {
  const runs = policyRuns(name);
  return runs === 'simulation' || runs === 'both';
}

function policyEntry(name: string): PolicyEntry | undefined {
  return Object.hasOwn(POLICY_TABLE, name) ? POLICY_TABLE[name as PolicyName] : classicPolicyEntry(name);
}

/**
 * Makes the policy `name` with its default options.
 *
 * @throws {@link @pagevisor/core!ConfigError | ConfigError} for a name this package does not have,
 * `belady`, `mru` and `cr-lfu` outside trace simulation (see {@link SIMULATION_ONLY_POLICIES}), and `xenpaging`
 * in it (it sees no accesses: it sweeps gfns)
 *
 * @example
 * ```ts
 * const policy = createPolicy('s3fifo', { maxPages: 1 << 20, neverEvict: new Uint8Array(1 << 20), seed: 1 });
 * ```
 */
export function createPolicy(name: string, context: PolicyContext): VictimPolicy {
  const entry = policyEntry(name);
  if (entry === undefined) throw new ConfigError('policy', `no policy "${name}" (policies: ${POLICY_NAMES.join(', ')}, clockN for N = 1 … 8)`);
  const simulation = context.startsEmpty === true;
  if ((simulation && entry.runs === 'live') || (!simulation && entry.runs === 'simulation')) throw new ConfigError('policy', entry.whyNot!);
  return entry.create(context);
}

/**
 * The policy `name` as a pager plugin, with its default options.
 *
 * @example
 * ```ts
 * import { policyNamed } from '@pagevisor/policies';
 *
 * const pager = createPager({ hypervisor, domid, policy: policyNamed('s3fifo'), store });
 * ```
 */
export function policyNamed(name: string): PagevisorPlugin {
  return {
    name,
    register(container, context) {
      container.provide(VICTIM_POLICY, createPolicy(name, context));
    },
  };
}
