import type { RunSample, SimulationReport } from '../run/simulation.js';
import { summaryRows } from '../run/summary-rows.js';
import { escapeXml, lineChartSvg, type ChartSeries } from './line-chart-svg.js';

/** Per-interval increments of a cumulative counter, plotted at each interval's end. */
function rate(samples: readonly RunSample[], key: 'faults' | 'evictions'): Array<[number, number]> {
  const points: Array<[number, number]> = [];
  for (let i = 1; i < samples.length; i++) points.push([samples[i]!.op, samples[i]![key] - samples[i - 1]![key]]);
  return points;
}

/**
 * The `pagevisor run --report` page: one self-contained HTML file (inline SVG and CSS, no script, no
 * network) with the run's summary, resident pages against the target over time, faults and evictions
 * per interval, and the final integrity check.
 */
export function runReportHtml(report: SimulationReport, samples: readonly RunSample[]): string {
  const interval = samples.length > 1 ? samples[1]!.op - samples[0]!.op : 0;
  const chart = (title: string, yLabel: string, series: ChartSeries[]) => lineChartSvg(series, { title, xLabel: 'guest operations', yLabel });
  const ok = report.integrity.mismatches === 0 && report.invariantViolations === 0 && !report.stalled;
  const rows = summaryRows(report);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Pagevisor run: ${escapeXml(report.abi)}, ${escapeXml(report.workload)}</title>
<style>
body { font-family: sans-serif; margin: 2em auto; max-width: 760px; color: #222; }
table { border-collapse: collapse; margin: 1em 0; }
td { padding: 2px 12px 2px 0; }
.verdict { font-size: 1.3em; padding: 0.5em 0.8em; border-radius: 4px; }
.ok { background: #e3f6e3; } .failed { background: #fbe3e3; }
figure { margin: 1.5em 0; }
</style>
</head>
<body>
<h1>Pagevisor run</h1>
<p class="verdict ${ok ? 'ok' : 'failed'}" id="integrity">Integrity: ${report.integrity.checked} pages checked, ${report.integrity.mismatches} mismatches; invariants ${report.invariantViolations === 0 ? 'ok' : `${report.invariantViolations} violated`}${report.stalled ? '; the guest stalled' : ''}.</p>
<table>${rows.map(([k, v]) => `<tr><td>${escapeXml(k)}</td><td>${escapeXml(v)}</td></tr>`).join('')}</table>
<figure id="resident">${chart('Resident pages and target', 'pages', [
    { id: 'resident', label: 'resident pages', points: samples.map((s) => [s.op, s.resident] as const) },
    { id: 'target', label: 'target', points: samples.map((s) => [s.op, s.target] as const), dashed: true, colour: '#000' },
  ])}</figure>
<figure id="faults">${chart(`Faults served per ${interval} operations`, 'faults', [{ id: 'faults', label: 'faults', points: rate(samples, 'faults') }])}</figure>
<figure id="evictions">${chart(`Evictions per ${interval} operations`, 'pages', [{ id: 'evictions', label: 'evictions', points: rate(samples, 'evictions'), colour: '#d62728' }])}</figure>
</body>
</html>
`;
}
