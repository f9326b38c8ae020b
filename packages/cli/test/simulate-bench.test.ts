import { readFileSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { EXIT_CODES } from '@pagevisor/cli';
import { SIMULATABLE_POLICIES } from '@pagevisor/policies';
import { cli } from './support/cli.js';
import { tempFiles } from './support/temp-files.js';

const TRACES = new URL('../../testing/fixtures/traces/', import.meta.url).pathname;
const temp = tempFiles('pv-sim-');

describe('pagevisor simulate', () => {
  it('prints one JSON line per (policy, size) with the reference counts, sizes 0 and 1 included', async () => {
    const { code, out } = await cli('simulate', '--trace', `${TRACES}cloudPhysicsIO.vscsi`, '--format', 'vscsi', '--policy', 'lru,s3fifo,belady', '--size', '0,1,1000', '--json');
    expect(code).toBe(EXIT_CODES.ok);
    const lines = out.trim().split('\n').map((line) => JSON.parse(line));
    expect(lines).toHaveLength(9);
    for (const line of lines) expect(Object.keys(line)).toEqual(['trace', 'policy', 'size', 'requests', 'misses', 'missRatio', 'seconds']);
    expect(lines.find((l) => l.policy === 'lru' && l.size === 1000)).toMatchObject({ trace: 'cloudPhysicsIO.vscsi', requests: 113872, misses: 94823 });
    expect(lines.find((l) => l.policy === 'belady' && l.size === 1000)).toMatchObject({ misses: 87025 });
    expect(lines.filter((l) => l.size === 0).every((l) => l.misses === 113872)).toBe(true);
  });

  it('--threads 2 runs the cells on worker threads: the same lines, in (policy, size) order', async () => {
    const argv = ['--trace', `${TRACES}lirs-sprite.trace.gz`, '--format', 'lirs', '--policy', 'lru,lirs,belady,lhd', '--size', '71,708', '--json'];
    const here = await cli('simulate', ...argv, '--threads', '1');
    const workers = await cli('simulate', ...argv, '--threads', '2');
    expect(workers.code).toBe(0);
    const cells = (out: string) => out.trim().split('\n').map((line) => { const { policy, size, misses } = JSON.parse(line); return [policy, size, misses]; });
    expect(cells(workers.out)).toEqual(cells(here.out));
    expect(cells(workers.out).map(([policy, size]) => `${policy} ${size}`)).toEqual(['lru 71', 'lru 708', 'lirs 71', 'lirs 708', 'belady 71', 'belady 708', 'lhd 71', 'lhd 708']);
  }, 60_000);

  it('reads gzip by its magic bytes whatever the name, and names a malformed record unless --skip-bad', async () => {
    const path = temp('ids.txt');
    writeFileSync(path, gzipSync('1\n2\n1\nthree\n2\n'));
    const bad = await cli('simulate', '--trace', path, '--format', 'txt', '--size', '2');
    expect(bad.code).toBe(EXIT_CODES.usage);
    expect(bad.err.trim()).toMatch(/ids\.txt: record 4 "three"/);
    const skipped = await cli('simulate', '--trace', path, '--format', 'txt', '--size', '2', '--skip-bad', '--json');
    expect(skipped.code).toBe(0);
    expect(JSON.parse(skipped.out)).toMatchObject({ requests: 4, misses: 2 });
    expect(skipped.err).toMatch(/skipped 1 malformed record/);
  });

  it('refuses unknown policies, xenpaging, bad sizes and a missing trace with exit code 2', async () => {
    for (const [argv, message] of [
      [['--trace', 'x', '--policy', 'lfu9'], /no policy "lfu9"/],
      [['--trace', 'x', '--policy', 'xenpaging'], /no policy "xenpaging" for trace simulation/],
      [['--trace', `${TRACES}lirs-cpp.trace.gz`, '--size', '1x'], /--size "1x"/],
      [['--policy', 'lru'], /--trace FILE is required/],
      [['--trace', '/nonexistent.trace'], /nonexistent\.trace: cannot read/],
      [['--trace', `${TRACES}lirs-cpp.trace.gz`, '--threads', '0'], /--threads "0": expected a whole number of threads/],
      [['--trace', `${TRACES}lirs-cpp.trace.gz`, '--threads', 'two'], /--threads "two"/],
    ] as const) {
      const { code, err } = await cli('simulate', ...argv);
      expect(code, argv.join(' ')).toBe(EXIT_CODES.usage);
      expect(err).toMatch(message);
    }
  });
});

describe('pagevisor bench', () => {
  it('prints a miss-ratio table and writes CSV and an SVG with Belady dashed as the floor', async () => {
    const csv = temp('cpp.csv');
    const svg = temp('cpp.svg');
    const { code, out, err } = await cli('bench', '--trace', `${TRACES}lirs-cpp.trace.gz`, '--format', 'lirs', '--policies', 'lru,arc,belady', '--sizes', '20,61,122', '--csv', csv, '--svg', svg);
    expect(code).toBe(0);
    expect(out).toMatch(/^policy\s+20\s+61\s+122$/m);
    expect(out).toMatch(/^belady\s+[\d.]+%/m);
    expect(err).toMatch(/100% 9\/9 runs/);
    const rows = readFileSync(csv, 'utf8').trim().split('\n');
    expect(rows[0]).toBe('policy,size,requests,misses,missRatio,seconds');
    expect(rows).toContain(rows.find((row) => row.startsWith('lru,20,9047,8991,')));
    const picture = readFileSync(svg, 'utf8');
    expect(picture.match(/<polyline class="curve"/g)).toHaveLength(3);
    expect(picture).toMatch(/data-series="belady"[^>]*stroke-dasharray/);
    expect(picture).toMatch(/belady \(optimum\)/);
  });

  it('by default runs every policy, tables them all, and draws the five best and Belady; --policies all draws every one', async () => {
    const svg = temp('cpp-best.svg');
    const { code, out } = await cli('bench', '--trace', `${TRACES}lirs-cpp.trace.gz`, '--sizes', '61,122', '--svg', svg);
    expect(code).toBe(0);
    for (const policy of SIMULATABLE_POLICIES) expect(out).toMatch(new RegExp(`^${policy}\\s+[\\d.]+%`, 'm'));
    const best = readFileSync(svg, 'utf8');
    expect(best.match(/<polyline class="curve"/g)).toHaveLength(6);
    expect(best).toMatch(/data-series="belady"/);
    const all = temp('cpp-all.svg');
    expect((await cli('bench', '--trace', `${TRACES}lirs-cpp.trace.gz`, '--sizes', '61,122', '--policies', 'all', '--svg', all)).code).toBe(0);
    expect(readFileSync(all, 'utf8').match(/<polyline class="curve"/g)).toHaveLength(SIMULATABLE_POLICIES.length);
  });
});
