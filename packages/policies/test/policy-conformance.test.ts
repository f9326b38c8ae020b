import { describe, it } from 'vitest';
import { createPolicy, POLICY_NAMES, SIMULATION_ONLY_POLICIES } from '@pagevisor/policies';
import { policyConformanceCases } from '@pagevisor/testing';

/** The conformance suite on every shipped policy. */
for (const name of [...POLICY_NAMES, 'clock4']) {
  describe(`policy conformance: ${name}`, () => {
    const subject = { name, create: (ctx: Parameters<typeof createPolicy>[1]) => createPolicy(name, ctx), simulationOnly: (SIMULATION_ONLY_POLICIES as readonly string[]).includes(name), liveOnly: name === 'xenpaging' };
    for (const c of policyConformanceCases(subject)) it(c.name, c.run);
  });
}
