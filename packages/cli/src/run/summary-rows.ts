import type { SimulationReport } from './simulation.js';

/** The summary of a run as label/value rows: the table `pagevisor run` prints and its HTML report shows. */
export function summaryRows(r: SimulationReport): Array<[string, string]> {
  return [
    ['ABI', r.abi],
    ['guest', `${r.pages} pages (${(r.pages / 256).toFixed(0)} MiB)`],
    ['target', `${r.target} pages`],
    ['policy / store', `${r.policy} / ${r.store}`],
    ['workload', `${r.workload}, ${r.ops} operations`],
    ['paged out / in', `${r.pagedOut} / ${r.pagedIn}`],
    ['faults served', `${r.faults} (${r.faultsPerSecond}/s)`],
    ['drops, evict fails, ring full', `${r.drops}, ${r.evictFails}, ${r.ringFull}`],
    ['integrity', `${r.integrity.checked} pages checked, ${r.integrity.mismatches} mismatches`],
    ['invariants', r.invariantViolations === 0 ? 'ok' : `${r.invariantViolations} violated`],
    ['time', `${r.seconds} s${r.stalled ? ' (guest stalled)' : ''}`],
  ];
}
