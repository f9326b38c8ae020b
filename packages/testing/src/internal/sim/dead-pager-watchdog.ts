import type { DeadPagerOutcome, WatchdogAction } from '../../sim/sim-hypervisor-options.js';
import type { SimDomain } from '../../sim/sim-domain.js';

/**
 * The simulator's answer to a pager that stops answering (Xen has none: its vcpus would wait forever).
 * It watches, per domain, the responses consumed while vcpus wait on paging; after `afterNs` of
 * virtual time without one, it resumes every vcpu once (`resume`) or crashes the domain.
 */
export class DeadPagerWatchdog {
  private readonly watch = new Map<number, { responses: number; since: number; resumed: boolean }>();

  constructor(private readonly outcome: DeadPagerOutcome) {}

  /** Called with the virtual time whenever the guest cannot make progress. */
  check(d: SimDomain, nowNs: number): WatchdogAction {
    const paging = d.paging;
    if (paging === undefined || d.crashed !== undefined) return 'none';
    // Waiting on paging: a toolstack pause is not the pager's to end.
    let waiting = false;
    for (let v = 0; v < d.vcpus; v++) {
      if (d.pause.count[v]! > d.controllerPauses || d.pause.vmEvent[v]! > 0 || d.pause.ringSleep[v] === 1 || d.pause.waitGfn[v] !== -1) waiting = true;
    }
    const seen = this.watch.get(d.domid);
    if (!waiting || seen === undefined || seen.responses !== paging.counters.responses) {
      this.watch.set(d.domid, { responses: paging.counters.responses, since: nowNs, resumed: seen?.resumed ?? false });
      return 'none';
    }
    if (nowNs - seen.since < this.outcome.afterNs) return 'none';
    if (this.outcome.outcome === 'resume' && !seen.resumed) {
      for (let v = 0; v < d.vcpus; v++) {
        d.pause.count[v] = d.controllerPauses; // the toolstack's own pauses stay
        d.pause.vmEvent[v] = 0;
        d.pause.ringSleep[v] = 0;
        d.pause.blackEye[v] = 0;
        d.pause.waitGfn[v] = -1;
      }
      this.watch.set(d.domid, { responses: paging.counters.responses, since: nowNs, resumed: true });
      return 'resumed';
    }
    d.crashed = `the pager answered nothing for ${(nowNs - seen.since) / 1e6} ms of virtual time while vcpus waited on it`;
    return 'crashed';
  }
}
