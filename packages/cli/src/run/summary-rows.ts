import type { SimulationReport } from './simulation.js';

/**
 * How far above its target a run may end its workload before the verdict says it missed it: a
 * ring's worth of pages faulted back in while the pager catches up, or 1% of the guest's RAM.
 */
export function targetSlack(r: SimulationReport): number {
  return Math.max(64, Math.ceil(r.ramPages / 100));
}

/** Whether the workload ended far above the target (see {@link targetSlack}). */
export function endedAboveTarget(r: SimulationReport): boolean {
  return r.residentAtEnd > r.target + targetSlack(r);
}

/** What a run's verdict is: what failed, or `undefined` when nothing did. */
export function runFailures(r: SimulationReport, allowAboveTarget: boolean): string[] {
  const failures: string[] = [];
  if (r.integrity.mismatches > 0) failures.push(`${r.integrity.mismatches} pages lost or damaged`);
  if (r.invariantViolations > 0) failures.push(`${r.invariantViolations} invariant violations`);
  if (r.stalled) failures.push('the guest stalled');
  if (endedAboveTarget(r) && !allowAboveTarget) {
    failures.push(`ended ${r.residentAtEnd - r.target} pages above the target (${r.residentAtEnd} resident against ${r.target}; --allow-above-target accepts that)`);
  }
  return failures;
}

/**
 * The last line of a run's summary: `ok: …`, `FAILED: …`, or `interrupted …`, always with the
 * integrity figures.
 */
export function verdictLine(r: SimulationReport, allowAboveTarget: boolean): string {
  const figures = `${r.integrity.checked} pages checked, ${r.integrity.mismatches} mismatches, ${r.invariantViolations} invariant violations`;
  const failures = runFailures(r, allowAboveTarget);
  if (failures.length > 0) return `FAILED: ${failures.join('; ')} (${figures})`;
  if (r.interrupted !== null) return `interrupted by ${r.interrupted} after ${r.ops} of ${r.opsPlanned} operations; every page paged back in: ${figures}`;
  return `ok: ${figures}`;
}

/** What each evict-fail reason means, for the summary. */
const EVICT_FAIL_WORDS: Readonly<Record<string, string>> = {
  nominate: 'nomination refused',
  evict: 'eviction refused: mapped or touched since nomination',
  store: 'the store failed to write it',
  accessed: 'the guest touched it after nomination',
};

/** The summary of a run as label/value rows: the table `pagevisor run` prints and its HTML report shows. */
export function summaryRows(r: SimulationReport): Array<[string, string]> {
  const holes = r.pages - r.ramPages;
  const reasons = Object.entries(r.evictFailReasons)
    .filter(([, n]) => n > 0)
    .map(([reason, n]) => `${n} ${EVICT_FAIL_WORDS[reason] ?? reason}`);
  const above = r.residentAtEnd - r.target;
  return [
    ['ABI', r.abi],
    ['guest', `${r.pages} gfns (${(r.pages / 256).toFixed(0)} MiB): ${r.ramPages} RAM pages${holes > 0 ? `, ${holes} in holes (firmware and MMIO ranges, where the paging ring page also lives: not guest RAM, never paged or checked)` : ''}`],
    ['target', r.targetNote],
    ['policy / store', `${r.policy} / ${r.store}`],
    ['workload', `${r.workload}, ${r.ops} of ${r.opsPlanned} operations`],
    ['resident at end', `${r.residentAtEnd} pages (${above > 0 ? `${above} above` : above < 0 ? `${-above} below` : 'at'} the target${endedAboveTarget(r) ? `; far above: more than ${targetSlack(r)} pages` : ''})`],
    ['evictions', `${r.evictions} (pages written to the store and dropped from the guest, a page each time it goes)`],
    ['pages out at end', `${r.pagesOut} (held in the store when the workload ended; the graceful stop paged them back in)`],
    ['paged in', `${r.pagedIn}`],
    ['faults served', `${r.faults} (${r.faultsPerSecond}/s during the workload)`],
    ['drops', `${r.drops} (DROP_PAGE: the guest overwrote a paged-out page, so nothing was read back)`],
    ['evict fails', `${r.evictFails}${reasons.length > 0 ? ` (${reasons.join(', ')}; the page stayed resident each time)` : ''}`],
    ['ring full', `${r.ringFull} (times a vcpu waited for a free ring slot)`],
    ['integrity', `${r.integrity.checked} pages checked, ${r.integrity.mismatches} mismatches`],
    ['invariants', r.invariantViolations === 0 ? 'ok' : `${r.invariantViolations} violated`],
    ['time', `${Object.entries(r.phaseSeconds).map(([phase, s]) => `${phase} ${s} s`).join(', ')}; ${r.seconds} s in all${r.stalled ? ' (guest stalled)' : ''}`],
  ];
}
