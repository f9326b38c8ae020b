import { ConfigError, VICTIM_POLICY, type PagevisorPlugin, type PolicyContext, type VictimPolicy } from '@pagevisor/core';
import { AccessTimestampPolicy } from './access-timestamp-policy.js';
import { AdaptivePolicy } from './adaptive/adaptive-policy.js';
import { CLASSIC_POLICIES, createClassicPolicy, isClassicPolicyName } from './classic/policy-registry.js';
import { XenpagingPolicy } from './xenpaging-policy.js';

/**
 * Every policy this package ships, by name (plus `clockN` for N = 1 … 8).
 *
 * @example
 * ```ts
 * POLICY_NAMES.includes('adaptive'); // true
 * ```
 */
export const POLICY_NAMES = ['xenpaging', 'adaptive', 'access-timestamp', ...CLASSIC_POLICIES] as const;

/**
 * Policies that choose among resident pages by their accesses, so trace simulation can run them.
 *
 * @example
 * ```ts
 * const names = SIMULATABLE_POLICIES.filter((name) => name !== 'belady');
 * ```
 */
export const SIMULATABLE_POLICIES = ['adaptive', 'access-timestamp', ...CLASSIC_POLICIES] as const;

/**
 * Policies for trace simulation only: `belady` needs the future; `mru` evicts the page that was just
 * faulted in, so on a live guest it pages a page out again before the vcpu that wanted it can run (a
 * livelock).
 *
 * @example
 * ```ts
 * const live = POLICY_NAMES.filter((name) => !(SIMULATION_ONLY_POLICIES as readonly string[]).includes(name));
 * ```
 */
export const SIMULATION_ONLY_POLICIES = ['belady', 'mru'] as const;

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
  return (SIMULATABLE_POLICIES as readonly string[]).includes(name) || isClassicPolicyName(name);
}

/**
 * Makes the policy `name` with its default options.
 *
 * @throws {@link @pagevisor/core!ConfigError | ConfigError} for a name this package does not have,
 * `belady` and `mru` outside trace simulation (see {@link SIMULATION_ONLY_POLICIES}), and `xenpaging`
 * in it (it sees no accesses: it sweeps gfns)
 *
 * @example
 * ```ts
 * const policy = createPolicy('s3fifo', { maxPages: 1 << 20, neverEvict: new Uint8Array(1 << 20), seed: 1 });
 * ```
 */
export function createPolicy(name: string, context: PolicyContext): VictimPolicy {
  switch (name) {
    case 'xenpaging':
      if (context.startsEmpty) throw new ConfigError('policy', 'xenpaging sweeps gfns and sees no accesses: it does not run in trace simulation');
      return new XenpagingPolicy(context);
    case 'adaptive':
      return new AdaptivePolicy(context);
    case 'access-timestamp':
      return new AccessTimestampPolicy(context);
    case 'mru':
      if (!context.startsEmpty) throw new ConfigError('policy', 'mru evicts the page just faulted in, which livelocks a live guest: it runs in trace simulation only');
  }
  if (!isClassicPolicyName(name)) {
    throw new ConfigError('policy', `no policy "${name}" (policies: ${POLICY_NAMES.join(', ')}, clockN for N = 1 … 8)`);
  }
  return createClassicPolicy(name, context);
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
