import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { PagefileStore } from '@pagevisor/storage';
import { checkStressAcks } from '@pagevisor/testing';

const root = fileURLToPath(new URL('../../..', import.meta.url));
const bin = join(root, 'packages/cli/src/bin.ts');
const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

interface Child {
  readonly code: number | null;
  readonly out: string;
  readonly err: string;
}

/**
 * Runs `pagevisor <args>` in a child whose temporary directory is a fresh one, and sends it each of
 * `signals` in turn when its output (stdout, then stderr) first matches the signal's pattern.
 */
function runAndSignal(args: string[], signals: Array<[RegExp, NodeJS.Signals]>, tmp: string): Promise<Child> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--conditions=@pagevisor/source', '--import', 'tsx', bin, ...args], {
      cwd: root,
      env: { ...process.env, TMPDIR: tmp, TSX_TSCONFIG_PATH: join(root, 'tsconfig.base.json') },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    const pending = [...signals];
    const signalIfDue = () => {
      while (pending.length > 0 && pending[0]![0].test(`${out}\n${err}`)) child.kill(pending.shift()![1]);
    };
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      signalIfDue();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      err += chunk.toString();
      signalIfDue();
    });
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, out, err }));
  });
}

/** What Pagevisor left in a temporary directory (tsx keeps its cache there too). */
function pagevisorFiles(tmp: string): string[] {
  return readdirSync(tmp).filter((name) => name.startsWith('pagevisor'));
}

function freshTmp(): string {
  const dir = mkdtempSync(join(tmpdir(), 'pv-interrupt-'));
  dirs.push(dir);
  return dir;
}

const LONG_RUN = ['run', '--pages', '65536', '--accesses', '2000000', '--store', 'pagefile'];

describe('Ctrl-C and SIGTERM stop gracefully', () => {
  it('SIGINT mid-run: every page paged back in, summary and report marked interrupted, temporary store removed, exit 130', { timeout: 120_000 }, async () => {
    const tmp = freshTmp();
    const reports = freshTmp();
    const report = join(reports, 'run.html');
    const child = await runAndSignal([...LONG_RUN, '--report', report], [[/^workload\s+10%/m, 'SIGINT']], tmp);
    expect(child.code, child.err).toBe(130);
    expect(child.err).toMatch(/pagevisor: SIGINT: stopping gracefully \(Ctrl-C again exits at once\)/);
    expect(child.err).toMatch(/^graceful stop\s+100% (\d+)\/\1 pages back in/m);
    const verdict = child.out.trim().split('\n').at(-1)!;
    expect(verdict).toMatch(/^interrupted by SIGINT after \d+ of 2000000 operations; every page paged back in: 65440 pages checked, 0 mismatches, 0 invariant violations$/);
    expect(Number(/after (\d+) of/.exec(verdict)![1])).toBeLessThan(2_000_000);
    expect(readFileSync(report, 'utf8')).toMatch(/class="verdict interrupted"[^>]*>interrupted by SIGINT/);
    expect(pagevisorFiles(tmp)).toEqual([]); // no pagevisor-run-* directory left behind
  });

  it('SIGTERM: the same graceful stop, exit 143', { timeout: 120_000 }, async () => {
    const tmp = freshTmp();
    const child = await runAndSignal([...LONG_RUN, '--json'], [[/^workload\s+10%/m, 'SIGTERM']], tmp);
    expect(child.code, child.err).toBe(143);
    expect(JSON.parse(child.out.trim().split('\n').at(-1)!)).toMatchObject({ interrupted: 'SIGTERM', integrity: { checked: 65440, mismatches: 0 }, invariantViolations: 0 });
    expect(pagevisorFiles(tmp)).toEqual([]);
  });

  it('a second Ctrl-C during the graceful stop exits at once, saying what was left where', { timeout: 120_000 }, async () => {
    const tmp = freshTmp();
    const child = await runAndSignal(LONG_RUN, [
      [/^workload\s+10%/m, 'SIGINT'],
      [/^graceful stop\s+\d+%/m, 'SIGINT'],
    ], tmp);
    expect(child.code, child.err).toBe(130);
    expect(child.err).toMatch(/pagevisor: SIGINT again: exiting at once\npagevisor: left behind: nothing: the temporary store .*guest\.pagefile was removed/);
    expect(child.out).toBe(''); // no summary: the run did not finish
    expect(pagevisorFiles(tmp)).toEqual([]);
  });

  it('store stress stops after the batch under way: every acknowledged operation holds, the summary says interrupted', { timeout: 60_000 }, async () => {
    const path = join(freshTmp(), 'stress.pagefile');
    const options = { ops: 100_000_000, seed: 5, gfns: 512 };
    const child = await runAndSignal(['store', 'stress', '--store', 'pagefile', '--path', path, '--ops', String(options.ops), '--gfns', '512', '--seed', '5'], [[/^ack /m, 'SIGINT']], freshTmp());
    expect(child.code, child.err).toBe(130);
    const lines = child.out.trim().split('\n');
    const summary = JSON.parse(lines.at(-1)!);
    expect(summary).toMatchObject({ store: 'pagefile', interrupted: 'SIGINT' });
    expect(summary.ops).toBeLessThan(options.ops);
    const acks = lines.slice(0, -1);
    expect(acks).toHaveLength(summary.ops);
    const store = await PagefileStore.open({ path }, options.gfns);
    try {
      // Replaying the acknowledged operations (and one batch beyond, which may or may not have landed).
      expect((await checkStressAcks(store, { ...options, ops: summary.ops + 64 }, acks)).problems).toEqual([]);
    } finally {
      await store.close();
    }
  });
});
