import { describe, expect, it } from 'vitest';
import { policyNamed, POLICY_NAMES, SIMULATION_ONLY_POLICIES } from '@pagevisor/policies';
import { GuestRunner, mixWorkload } from '@pagevisor/testing';
import { integrityMismatches, setup } from './support.js';

/** Every policy that runs on a live guest drives the pager to its target with no page lost. */

it('refuses the simulation-only policies on a live guest', () => {
  for (const name of SIMULATION_ONLY_POLICIES) expect(() => setup('vm_event/v7', { policy: policyNamed(name) })).toThrow(/trace simulation only/);
});
describe('the pager with every policy', () => {
  for (const name of POLICY_NAMES.filter((p) => !(SIMULATION_ONLY_POLICIES as readonly string[]).includes(p))) {
    it(`${name}: pages a guest to 25% under a mixed workload, then everything comes back intact`, async () => {
      const { hv, guest, pager } = setup('vm_event/v7', { policy: policyNamed(name) });
      const target = Math.floor(guest.totPages / 4);
      await pager.start();
      hv.setTarget(guest.domid, target);
      await pager.settle();
      expect(hv.domainInfo(guest.domid).totPages).toBe(target);
      const result = await new GuestRunner(hv, guest.domid, mixWorkload({ pages: 3500, accesses: 8000, seed: 4 })).run(() => pager.settle());
      expect(result.stalled).toBe(false);
      expect(pager.stats.faults).toBeGreaterThan(100);
      await pager.stop('graceful');
      expect(integrityMismatches(hv, guest.domid)).toEqual([]);
    });
  }
});
