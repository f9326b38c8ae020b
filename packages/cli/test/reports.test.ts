import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { cli } from './support/cli.js';
import { findChromium, renderHeadless } from './support/chromium.js';
import { tempFiles } from './support/temp-files.js';

const TRACES = new URL('../../testing/fixtures/traces/', import.meta.url).pathname;
const temp = tempFiles('pv-report-');
const chromium = findChromium();
const skip = chromium === undefined;
const note = skip ? ' (skipped: chromium is not installed: apt-get install chromium)' : '';

/** Points of every chart line in a rendered page. */
function lines(dom: string): Array<{ series: string; points: number }> {
  return [...dom.matchAll(/<polyline[^>]*data-series="([^"]+)"[^>]*points="([^"]*)"/g)].map((m) => ({ series: m[1]!, points: m[2]!.trim().split(/\s+/).filter(Boolean).length }));
}

describe(`reports rendered in headless Chromium${note}`, () => {
  it('pagevisor run --report writes one self-contained HTML file', async () => {
    const report = temp('run.html');
    const { code } = await cli('run', '--pages', '4096', '--accesses', '8000', '--store', 'memory', '--report', report, '--json');
    expect(code).toBe(0);
    const html = readFileSync(report, 'utf8');
    expect(html).not.toMatch(/<script|<link|https?:\/\/(?!www\.w3\.org\/2000\/svg)/); // nothing to fetch
    expect(html).toMatch(/Integrity: \d+ pages checked, 0 mismatches/);
  });

  it.skipIf(skip)('the run report loads with no console errors and every chart has data', async () => {
    const report = temp('run.html');
    await cli('run', '--pages', '4096', '--accesses', '8000', '--store', 'memory', '--report', report);
    const { dom, console } = renderHeadless(chromium!, report);
    expect(console).toEqual([]);
    const drawn = lines(dom);
    expect(drawn.map((l) => l.series)).toEqual(['resident', 'target', 'faults', 'evictions']);
    for (const line of drawn) expect(line.points, line.series).toBeGreaterThan(10);
    expect(dom).toMatch(/id="integrity"[^>]*>Integrity: \d+ pages checked, 0 mismatches/);
    expect(dom).toMatch(/id="verdict"[^>]*>ok: \d+ pages checked, 0 mismatches, 0 invariant violations/);
    // Titles name a real interval (the first two samples are both at operation 0).
    expect(dom).toMatch(/Faults served per 40 operations/);
    expect(dom).not.toMatch(/per 0 operations/);
    // The target is drawn over a wider resident line, so both show where they are equal.
    expect(dom).toMatch(/data-series="resident"[^>]*stroke-width="4"/);
    expect(dom).toMatch(/data-series="target"[^>]*stroke-dasharray/);
    // Rates on a log scale, without the initial page-down, said in the captions.
    expect(dom).toMatch(/pages \(log scale\)/);
    expect(dom).toMatch(/the initial page-down \(\d+ pages evicted before operation 0\) is left out/);
  });

  it.skipIf(skip)('the bench SVG loads with no console errors, one curve per policy, Belady among them', async () => {
    const svg = temp('bench.svg');
    await cli('bench', '--trace', `${TRACES}lirs-cpp.trace.gz`, '--format', 'lirs', '--policies', 'lru,s3fifo,belady', '--sizes', '20,61,122,306', '--svg', svg);
    const { dom, console } = renderHeadless(chromium!, svg);
    expect(console).toEqual([]);
    expect(lines(dom)).toEqual([
      { series: 'lru', points: 4 },
      { series: 's3fifo', points: 4 },
      { series: 'belady', points: 4 },
    ]);
    expect(dom).toMatch(/>cache size \(pages, log scale\)</);
    expect(dom).toMatch(/>(20|40|60|80)%</); // the y axis in percent, like the tables
  });

  it.skipIf(skip)('the bench SVG tells twelve curves apart: twelve colours, and a marker shape per curve', async () => {
    const svg = temp('bench12.svg');
    const policies = 'lru,fifo,clock,clock2,clock3,sieve,arc,s3fifo,adaptive,random,access-timestamp,belady';
    await cli('bench', '--trace', `${TRACES}lirs-cpp.trace.gz`, '--format', 'lirs', '--policies', policies, '--sizes', '20,61,122', '--svg', svg);
    const { dom } = renderHeadless(chromium!, svg);
    const curves = [...dom.matchAll(/<polyline[^>]*stroke="([^"]+)"/g)].map((m) => m[1]);
    expect(new Set(curves).size).toBe(12);
    for (const shape of ['circle', 'rect', 'polygon', 'path']) expect(dom).toContain(`<${shape}`);
  });
});
