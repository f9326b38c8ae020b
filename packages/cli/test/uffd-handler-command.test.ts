import { describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Interrupt, runCli } from '@pagevisor/cli';
import { userfaultfdSupport } from '@pagevisor/linux';
import { peerAvailable, peerSkipReason, runPeer, snapshotFile } from '../../linux/test/support/uffd-peer.js';
import { cli } from './support/cli.js';

const support = userfaultfdSupport();
const uffdSkip = support.available ? '' : ` (skipped: ${support.problem.message})`;

async function until(read: () => string, pattern: RegExp): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!pattern.test(read())) {
    if (Date.now() > deadline) throw new Error(`no ${pattern} within 10 s in:\n${read()}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('pagevisor uffd-handler refuses bad flags with a usage error', () => {
  for (const [args, message] of [
    [[], /--socket is required/],
    [['--socket', '/tmp/x.sock'], /give --mem-file/],
    [['--socket', '/tmp/x.sock', '--store', 'sqlite'], /no store "sqlite" for peers/],
    [['--socket', '/tmp/x.sock', '--store', 'redis'], /needs --url/],
    [['--socket', '/tmp/x.sock', '--store', 'memory', '--policy', 'belady'], /no live policy "belady"/],
    [['--socket', '/tmp/x.sock', '--store', 'memory', '--target', 'lots'], /not a size/],
    [['--socket', '/tmp/x.sock', '--store', 'memory', '--max-memory', '50%'], /expected a size/],
    [['--socket', '/tmp/x.sock', '--store', 'memory', '--allow-uid', 'root'], /expected uids/],
    [['--socket', '/tmp/x.sock', '--store', 'memory', '--read-ahead', '5000'], /from 0 to 1024/],
    [['--socket', '/tmp/x.sock', '--store', 'memory', '--watchdog', '0'], /--watchdog "0": expected a whole number from 1/],
  ] as const) {
    it(`${args.join(' ') || '(no flags)'}`, async () => {
      const { code, err } = await cli('uffd-handler', ...args);
      expect(code).toBe(2);
      expect(err).toMatch(message);
      expect(existsSync('/tmp/x.sock')).toBe(false);
    });
  }
});

describe(`pagevisor uffd-handler serves a peer until Ctrl-C${uffdSkip}${peerSkipReason}`, () => {
  (support.available && peerAvailable ? it : it.skip)('prints one line per peer, and removes its socket on the way out', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'uffd-handler-cli-'));
    try {
      const socket = join(dir, 'vm.sock');
      let out = '';
      const interrupt = new Interrupt();
      const running = runCli(['uffd-handler', '--socket', socket, '--mem-file', snapshotFile(dir, 128, 5), '--target', '25%', '--watchdog', '2000'], { out: (t) => (out += t), err: (t) => (out += t) }, interrupt);
      await until(() => out, /^listening on .* \(mode 0600\), first faults from .*snapshot-5\.mem/m);
      const served = await runPeer(['--socket', socket, '--pages', '128', '--memfd', 'check', '5', 'write', '6', 'check', '6']);
      expect(served.code, served.stderr).toBe(0);
      await until(() => out, /gone: \d+ faults, 128 first touches filled, \d+ evictions/);
      const refused = await runPeer(['--socket', socket, '--pages', '128', '--bad', 'overlap', '--segments', '2']);
      expect(refused.signal).toBe('SIGKILL');
      await until(() => out, /refused and killed \(its memory would read as zeros\): refused handshake: two mappings overlap/);
      expect(out.split('\n').filter((line) => line.includes('refused'))).toHaveLength(1);
      interrupt.receive('SIGINT');
      expect(await running).toBe(130);
      expect(out).toMatch(/stopped; socket removed/);
      expect(existsSync(socket)).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
