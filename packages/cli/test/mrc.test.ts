import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { EXIT_CODES } from '@pagevisor/cli';
import { cli } from './support/cli.js';
import { tempFiles } from './support/temp-files.js';

const TRACES = new URL('../../testing/fixtures/traces/', import.meta.url).pathname;
const temp = tempFiles('pv-mrc-');

describe('pagevisor mrc', () => {
  it("prints LRU's exact curve (the same misses as simulation), SHARDS's and its error, and writes CSV and SVG", async () => {
    const csv = temp('cpp.csv');
    const svg = temp('cpp.svg');
    const { code, out } = await cli('mrc', '--trace', `${TRACES}lirs-cpp.trace.gz`, '--sizes', '20,61,122,306', '--sample', '0.5', '--csv', csv, '--svg', svg);
    expect(code).toBe(0);
    expect(out).toMatch(/^\s*size\s+exact\s+shards 0\.5\s+error$/m);
    expect(out).toMatch(/error largest \d\.\d{4}, mean \d\.\d{4}/);
    const rows = readFileSync(csv, 'utf8').trim().split('\n');
    expect(rows[0]).toBe('size,exact,shards,error');
    expect(rows).toHaveLength(5);
    // libCacheSim's LRU misses 8991 of lirs-cpp's 9047 requests at 20 pages (expected-real.tsv).
    expect(Math.round(Number(rows[1]!.split(',')[1]) * 9047)).toBe(8991);
    const picture = readFileSync(svg, 'utf8');
    expect(picture.match(/<polyline class="curve"/g)).toHaveLength(2);
    expect(picture).toMatch(/data-series="shards"[^>]*stroke-dasharray/);
  });

  it('--json gives one object; sampling every page gives the exact curve', async () => {
    const { code, out } = await cli('mrc', '--trace', `${TRACES}lirs-cpp.trace.gz`, '--sizes', '61,122', '--sample', '1', '--json');
    expect(code).toBe(0);
    const report = JSON.parse(out);
    expect(report).toMatchObject({ requests: 9047, pages: 1223, sample: 1, maxError: 0 });
    expect(report.sizes.map((s: { exact: number; shards: number }) => s.exact - s.shards)).toEqual([0, 0]);
  });

  it('refuses a bad sample rate or seed and a missing trace with exit code 2', async () => {
    for (const [argv, message] of [
      [['--trace', `${TRACES}lirs-cpp.trace.gz`, '--sample', '0'], /--sample "0"/],
      [['--trace', `${TRACES}lirs-cpp.trace.gz`, '--sample', 'x'], /--sample "x"/],
      [['--trace', `${TRACES}lirs-cpp.trace.gz`, '--seed', '-1'], /--seed "-1"/],
      [['--sample', '0.1'], /--trace FILE is required/],
    ] as const) {
      const { code, err } = await cli('mrc', ...argv);
      expect(code, argv.join(' ')).toBe(EXIT_CODES.usage);
      expect(err).toMatch(message);
    }
  });
});
