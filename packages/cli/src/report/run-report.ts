import type { RunSample, SimulationReport } from '../run/simulation.js';
import { runFailures, summaryRows, verdictLine } from '../run/summary-rows.js';
import { escapeXml, lineChartSvg, type ChartSeries } from './line-chart-svg.js';

/** The samples of the workload: the first two are both at operation 0 (before and after the page-down). */
function workloadSamples(samples: readonly RunSample[]): readonly RunSample[] {
  return samples.slice(1);
}

/** Per-interval increments of a cumulative counter over the workload, plotted at each interval's end. */
function rate(samples: readonly RunSample[], key: 'faults' | 'evictions'): Array<[number, number]> {
  const points: Array<[number, number]> = [];
  for (let i = 1; i < samples.length; i++) points.push([samples[i]!.op, samples[i]![key] - samples[i - 1]![key]]);
  return points;
}

/** Operations between two samples of the workload: the most common gap (the last may be shorter). */
function sampleInterval(samples: readonly RunSample[]): number {
  const gaps = new Map<number, number>();
  for (let i = 1; i < samples.length; i++) {
    const gap = samples[i]!.op - samples[i - 1]!.op;
    if (gap > 0) gaps.set(gap, (gaps.get(gap) ?? 0) + 1);
  }
  return [...gaps].sort((a, b) => b[1] - a[1] || b[0] - a[0])[0]?.[0] ?? 0;
}

/**
 * The `pagevisor run --report` page: one self-contained HTML file (inline SVG and CSS, no script, no
 * network) with the run's verdict and summary, resident pages against the target over time, faults
 * and evictions per interval of the workload, and the final integrity check.
 */
export function runReportHtml(report: SimulationReport, samples: readonly RunSample[], allowAboveTarget: boolean): string {
  const workload = workloadSamples(samples);
  const interval = sampleInterval(workload).toLocaleString('en');
  const pageDown = samples.length > 1 ? samples[1]!.evictions - samples[0]!.evictions : 0;
  const chart = (title: string, yLabel: string, series: ChartSeries[], logY = false) => lineChartSvg(series, { title, xLabel: 'guest operations', yLabel, logY });
  const changes = report.targets.length > 1 ? ` The spikes are the pager following the target's changes (${report.targets.join(' → ')} pages).` : '';
  const ok = runFailures(report, allowAboveTarget).length === 0;
  const rows = summaryRows(report);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Pagevisor run: ${escapeXml(report.abi)}, ${escapeXml(report.workload)}</title>
<style>
body { font-family: sans-serif; margin: 2em auto; max-width: 760px; color: #222; }
table { border-collapse: collapse; margin: 1em 0; }
td { padding: 2px 12px 2px 0; vertical-align: top; }
.verdict { font-size: 1.2em; padding: 0.5em 0.8em; border-radius: 4px; }
.ok { background: #e3f6e3; } .failed { background: #fbe3e3; } .interrupted { background: #fdf3d8; }
figure { margin: 1.5em 0; } figcaption { color: #555; font-size: 0.9em; }
</style>
</head>
<body>
<h1>Pagevisor run</h1>
<p class="verdict ${ok ? (report.interrupted === null ? 'ok' : 'interrupted') : 'failed'}" id="verdict">${escapeXml(verdictLine(report, allowAboveTarget))}</p>
<p id="integrity">Integrity: ${report.integrity.checked} pages checked, ${report.integrity.mismatches} mismatches; invariants ${report.invariantViolations === 0 ? 'ok' : `${report.invariantViolations} violated`}${report.stalled ? '; the guest stalled' : ''}.</p>
<table>${rows.map(([k, v]) => `<tr><td>${escapeXml(k)}</td><td>${escapeXml(v)}</td></tr>`).join('')}</table>
<figure id="resident">${chart('Resident pages and target', 'pages', [
    // The target is drawn dashed over a wider resident line, so both show where they are equal.
    { id: 'resident', label: 'resident pages', points: samples.map((s) => [s.op, s.resident] as const), width: 4 },
    { id: 'target', label: 'target', points: samples.map((s) => [s.op, s.target] as const), dashed: true, colour: '#000' },
  ])}<figcaption>The guest's resident pages (tot_pages) at each sample; the drop at operation 0 is the pager paging the guest down to its first target.</figcaption></figure>
<figure id="faults">${chart(`Faults served per ${interval} operations`, 'faults', [{ id: 'faults', label: 'faults', points: rate(workload, 'faults') }], true)}<figcaption>Page-ins during the workload, on a log scale so the steady state shows beside the spikes.${changes}</figcaption></figure>
<figure id="evictions">${chart(`Evictions per ${interval} operations`, 'pages', [{ id: 'evictions', label: 'evictions', points: rate(workload, 'evictions'), colour: '#d62728' }], true)}<figcaption>During the workload, on a log scale; the initial page-down (${pageDown} pages evicted before operation 0) is left out.${changes}</figcaption></figure>
</body>
</html>
`;
}
