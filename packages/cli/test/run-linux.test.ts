import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { userfaultfdSupport } from '@pagevisor/linux';
import { cli } from './support/cli.js';

const root = fileURLToPath(new URL('../../..', import.meta.url));
const support = userfaultfdSupport();
if (process.env.PAGEVISOR_REQUIRE_UFFD === '1' && !support.available) throw support.problem;
const skip = support.available ? '' : ` (skipped: ${support.problem.message})`;
const uffdIt = support.available ? it : it.skip;

/** `pagevisor run --backend linux …` in a child (its Worker needs a real thread), sending SIGINT once stderr matches `interruptAt`. */
function runLinux(args: string[], interruptAt?: RegExp): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--conditions=@pagevisor/source', '--import', 'tsx', join(root, 'packages/cli/src/bin.ts'), 'run', '--backend', 'linux', ...args], {
      cwd: root,
      env: { ...process.env, TSX_TSCONFIG_PATH: join(root, 'tsconfig.base.json') },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    let signalled = false;
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => {
      err += chunk.toString();
      if (interruptAt !== undefined && !signalled && interruptAt.test(err)) {
        signalled = true;
        child.kill('SIGINT');
      }
    });
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, out, err }));
  });
}

describe(`pagevisor run --backend linux pages a real region${skip}`, () => {
  for (const store of ['memory', 'pagefile']) {
    uffdIt(`zipf on ${store}: the region stays at its target by /proc, every page checks out, and the evictions add up`, async () => {
      const { code, out, err } = await runLinux(['--pages', '2048', '--target', '512', '--store', store, '--workload', 'zipf', '--accesses', '30000', '--json']);
      expect(code, err).toBe(0);
      const report = JSON.parse(out.trim().split('\n').at(-1)!);
      expect(report).toMatchObject({ backend: 'linux', pages: 2048, target: 512, completed: 30000, badPages: 0, readMismatches: 0, checked: 2048, failures: [] });
      expect(report.rss.afterWorkload).toBeLessThanOrEqual(512 * 4096);
      expect(report.rss.afterWorkload).toBeGreaterThan(0);
      expect(report.rss.afterStop).toBeGreaterThan(report.rss.afterWorkload); // everything came back in
      expect(report.evictions).toBeGreaterThan(1536);
      expect(report.pagesWritten + report.cleanEvictions + report.zeroEvictions).toBe(report.evictions);
      expect(report.cleanEvictions).toBeGreaterThan(0); // zipf reads far more than it writes
    });
  }

  uffdIt('--sampling: the policy hears of accesses to resident pages, and every page still checks out', async () => {
    const { code, out, err } = await runLinux(['--pages', '2048', '--target', '512', '--policy', 'lru', '--sampling', '0.25,2', '--workload', 'zipf', '--accesses', '30000', '--json']);
    expect(code, err).toBe(0);
    const report = JSON.parse(out.trim().split('\n').at(-1)!);
    expect(report).toMatchObject({ sampling: { fraction: 0.25, intervalMs: 2 }, badPages: 0, readMismatches: 0, checked: 2048, failures: [] });
    expect(report.pagesSampled).toBeGreaterThan(0);
    expect(report.accessesSeen).toBeGreaterThan(0);
    expect(report.rss.afterWorkload).toBeLessThanOrEqual(512 * 4096);
  });

  uffdIt('Ctrl-C stops the workload early; the pages still come in and are all checked', async () => {
    const { code, out, err } = await runLinux(['--pages', '4096', '--target', '25%', '--accesses', '600000'], /workload\s+10%/);
    expect(code, err).toBe(130);
    expect(out).toMatch(/operations in a Worker \(interrupted\)/);
    expect(out).toMatch(/integrity\s+4096 pages checked after the graceful stop: 0 wrong; 0 reads found a stale page/);
  }, 60_000);
});

describe('pagevisor run --backend refuses what does not apply', () => {
  for (const [args, message] of [
    [['--backend', 'kvm'], /--backend "kvm": expected xen/],
    [['--backend', 'linux', '--abi', 'vm_event/v7'], /--abi does not apply to --backend linux/],
    [['--backend', 'linux', '--vcpus', '2'], /--vcpus does not apply/],
    [['--backend', 'linux', '--interleave', '1'], /--interleave does not apply/],
  ] as const) {
    it(args.join(' '), async () => {
      const { code, err } = await cli('run', ...args);
      expect(code).toBe(2);
      expect(err).toMatch(message);
    });
  }

  it('--sampling on the simulated Xen', async () => {
    const { code, err } = await cli('run', '--sampling', '0.25');
    expect(code).toBe(2);
    expect(err).toMatch(/--sampling applies to --backend linux/);
  });

  for (const value of ['0', '1.5', '0.25,0', '0.25,2.5', 'x', '0.25,5,1', '0.25,', ''])  {
    uffdIt(`--sampling ${JSON.stringify(value)}`, async () => {
      const { code, err } = await cli('run', '--backend', 'linux', '--sampling', value);
      expect(code).toBe(2);
      expect(err).toMatch(/--sampling .*expected FRACTION\[,MS\]/);
    });
  }

  uffdIt('a list of targets, one per part of the workload, is the simulation\'s', async () => {
    const { code, err } = await cli('run', '--backend', 'linux', '--target', '50%,25%');
    expect(code).toBe(2);
    expect(err).toMatch(/one target/);
  });
});
