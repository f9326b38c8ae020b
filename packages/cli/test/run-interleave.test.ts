import { writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { cli } from './support/cli.js';
import { tempFiles } from './support/temp-files.js';

/** `pagevisor run --interleave SEED` runs one run of the interleaving harness. */
describe('pagevisor run --interleave', () => {
  const file = tempFiles('pagevisor-interleave-');

  it('runs one harness run and says it is clean, with the same digest every time', async () => {
    const a = await cli('run', '--interleave', '3', '--abi', 'mem_event/age1');
    expect(a.code).toBe(0);
    expect(a.out).toMatch(/^interleaved run: seed 3 on mem_event\/age1, policy xenpaging, 1024 gfns, 4 vcpus, 1500 guest steps$/m);
    expect(a.out.trim().split('\n').at(-1)).toBe('ok: no vcpu left waiting, no fault loop, every page intact, invariants clean');
    const b = await cli('run', '--interleave', '3', '--abi', 'mem_event/age1', '--json');
    const report = JSON.parse(b.out);
    expect(report).toMatchObject({ seed: 3, abi: 'mem_event/age1', ok: true, problems: [] });
    expect(a.out).toContain(`digest            ${report.digest.toString(16).padStart(8, '0')}`);
  });

  it('exits 1 on a problem, naming the seed, the gfn and its p2m state; --shrink prints a schedule that --schedule replays', async () => {
    const failed = await cli('run', '--interleave', '2', '--abi', 'mem_event/age2', '--xen-bugs', '--shrink');
    expect(failed.code).toBe(1);
    expect(failed.out).toMatch(/gfn 0x[0-9a-f]+/);
    expect(failed.out).toMatch(/^FAILED: \w+ \(seed 2\); replay: pagevisor run --interleave 2 --abi mem_event\/age2 --xen-bugs$/m);
    const lines = failed.out.split('\n');
    const start = lines.findIndex((line) => line.startsWith('shrunk'));
    expect(start).toBeGreaterThan(0);
    const schedule = lines.slice(start + 1, -2).join('\n');
    expect(schedule.split('\n').length).toBeLessThanOrEqual(10);
    const path = file('shrunk.schedule');
    writeFileSync(path, schedule + '\n');
    const replay = await cli('run', '--interleave', '2', '--abi', 'mem_event/age2', '--xen-bugs', '--schedule', path, '--json');
    expect(replay.code).toBe(1);
    expect(JSON.parse(replay.out).problems[0].kind).toBe(failed.out.match(/^FAILED: (\w+)/m)![1]);
  });

  it('refuses flags that do not apply, and a bad schedule file, with exit 2', async () => {
    expect((await cli('run', '--interleave', '1', '--store', 'pagefile')).err).toMatch(/--store does not apply to --interleave/);
    expect((await cli('run', '--shrink')).code).toBe(2);
    const bad = file('bad.schedule');
    writeFileSync(bad, '1 grab 0 0 ram\n');
    const result = await cli('run', '--interleave', '1', '--schedule', bad);
    expect(result.code).toBe(2);
    expect(result.err).toMatch(/schedule line 1 is not "at op vcpu pick recent\|ram"/);
    expect((await cli('run', '--interleave', '-1')).err).toMatch(/--interleave must be/);
  });
});
