import { describe, expect, it } from 'vitest';
import { EXIT_CODES } from '@pagevisor/cli';
import { cli } from './support/cli.js';


describe('pagevisor run', () => {
  it('runs a pager on a simulated guest and reports one JSON object with the integrity check', async () => {
    const { code, out, err } = await cli('run', '--abi', 'mem_event/age1', '--pages', '4096', '--target', '25%', '--workload', 'mix', '--accesses', '5000', '--json');
    expect(code).toBe(EXIT_CODES.ok);
    const report = JSON.parse(out.trim().split('\n').at(-1)!);
    expect(report).toMatchObject({ abi: 'mem_event/age1', pages: 4096, invariantViolations: 0, stalled: false, integrity: { mismatches: 0 } });
    for (const key of ['target', 'evictions', 'pagesOut', 'pagedIn', 'faults', 'drops', 'evictFails', 'evictFailReasons', 'ringFull', 'seconds', 'phaseSeconds', 'faultsPerSecond']) expect(report).toHaveProperty(key);
    expect(report.integrity.checked).toBeGreaterThan(3900);
    expect(report.evictions).toBeGreaterThan(2000);
    expect(report.pagesOut).toBeLessThanOrEqual(report.evictions);
    expect(report.interrupted).toBeNull();
    // Plain progress lines when stderr is not a terminal: each phase in turn, 100% only at its end.
    const phases = err.trim().split('\n').map((line) => /^(page down|workload|graceful stop|integrity check)\s+(\d+)%/.exec(line)!);
    expect(phases.every(Boolean)).toBe(true);
    expect([...new Set(phases.map((m) => m[1]))]).toEqual(['page down', 'workload', 'graceful stop', 'integrity check']);
    expect(err).toMatch(/^workload\s+100% 5000\/5000 ops/m);
    expect(err).not.toMatch(/^workload\s+100% [0-4]\d{0,3}\/5000 ops/m);
  });

  it('prints a summary table without --json', async () => {
    const { code, out } = await cli('run', '--pages', '2048', '--accesses', '2000', '--target', '50%');
    expect(code).toBe(0);
    expect(out).toMatch(/^ABI\s+vm_event\/v7$/m);
    expect(out).toMatch(/^integrity\s+\d+ pages checked, 0 mismatches$/m);
    expect(out.trim().split('\n').at(-1)).toMatch(/^ok: \d+ pages checked, 0 mismatches, 0 invariant violations$/);
    expect(out).toMatch(/^guest\s+2048 gfns \(8 MiB\): 1952 RAM pages, 96 in holes/m);
    expect(out).toMatch(/^target\s+976 pages: 50% of the guest's 1952 RAM pages$/m);
    expect(out).toMatch(/^evictions\s+\d+ \(/m);
    expect(out).toMatch(/^pages out at end\s+\d+ \(/m);
    expect(out).toMatch(/^time\s+page down [\d.]+ s, workload [\d.]+ s, graceful stop [\d.]+ s, integrity check [\d.]+ s; [\d.]+ s in all$/m);
  });

  it('by default moves the working set (phases) and changes the target: 50%, then 25%, then 50% again', async () => {
    const { code, out } = await cli('run', '--pages', '2048', '--accesses', '3000', '--store', 'memory');
    expect(code).toBe(0);
    expect(out).toMatch(/^workload\s+phases, 3000 of 3000 operations$/m);
    expect(out).toMatch(/^target\s+976 → 488 → 976 pages, each for a third of the workload: 50% of the guest's 1952 RAM pages; 25% .*; 50% .*$/m);
    const json = JSON.parse((await cli('run', '--pages', '2048', '--accesses', '3000', '--store', 'memory', '--json')).out);
    expect(json).toMatchObject({ targets: [976, 488, 976], target: 976, workload: 'phases' });
  });

  it('keeps pages in a pagefile given by --path, with the default file store', async () => {
    const { mkdtempSync, existsSync, rmSync } = await import('node:fs');
    const dir = mkdtempSync((await import('node:os')).tmpdir() + '/pv-run-');
    const { code, out } = await cli('run', '--pages', '2048', '--accesses', '2000', '--path', `${dir}/g.pagefile`, '--json');
    expect(code).toBe(0);
    expect(JSON.parse(out)).toMatchObject({ store: 'pagefile', integrity: { mismatches: 0 } });
    expect(existsSync(`${dir}/g.pagefile`)).toBe(true);
    rmSync(dir, { recursive: true, force: true });
  });

  it('replays a trace file', async () => {
    const trace = new URL('../../testing/fixtures/traces/lirs-cpp.trace.gz', import.meta.url).pathname;
    const { code, out } = await cli('run', '--pages', '2048', '--workload', trace, '--json');
    expect(code).toBe(0);
    expect(JSON.parse(out)).toMatchObject({ workload: 'lirs-cpp.trace.gz', ops: 9047 });
  });

  it('pages to a compressed SQLite database in a temporary directory', async () => {
    const { code, out } = await cli('run', '--pages', '2048', '--accesses', '2000', '--store', 'sqlite', '--compress', 'deflate', '--json');
    expect(code).toBe(0);
    expect(JSON.parse(out)).toMatchObject({ store: 'sqlite+deflate', integrity: { mismatches: 0 }, invariantViolations: 0 });
  });

  it.each([
    [['--target', '12 pages'], /target "12 pages" is not a size/],
    [['--pages', 'many'], /--pages "many": expected a whole number/],
    [['--pages', '-5'], /--pages must be a positive integer \(from 1024 to 16777216\), not -5/],
    [['--abi', 'vm_event/v9'], /unknown paging ABI "vm_event\/v9"/],
    [['--store', 'tape'], /no store "tape"/],
    [['--store', 'redis', '--url', 'redis://127.0.0.1:1'], /cannot connect/],
    [['--store', 'memory', '--path', 'x'], /--path goes with --store pagefile or sqlite/],
    [['--compress', 'zstd'], /--compress "zstd": expected deflate or brotli/],
    [['--format', 'xml'], /--format "xml"/],
    [['--workload', '/nonexistent.trace'], /nonexistent\.trace: cannot read/],
    [['--bogus'], /Unknown option '--bogus'/],
  ])('bad flags %j exit 2 with one line', async (argv, message) => {
    const { code, err } = await cli('run', ...argv);
    expect(code).toBe(EXIT_CODES.usage);
    expect(err).toMatch(message);
    expect(err.trim().split('\n')).toHaveLength(1);
  });
});
