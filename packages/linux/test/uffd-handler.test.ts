import { afterEach, beforeEach, describe, expect } from 'vitest';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { chmodSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { policyNamed } from '@pagevisor/policies';
import { memoryStore } from '@pagevisor/storage';
import { faultyStore } from '@pagevisor/testing';
import { listenForPeers, type UffdHandler, type UffdHandlerEvent, type UffdHandlerOptions } from '../src/index.js';
import { peerAvailable, peerSkipReason, runPeer, snapshotFile } from './support/uffd-peer.js';
import { skipReason, uffdIt } from './support/uffd-required.js';

const PAGES = 256;
let dir: string;
let handler: UffdHandler | undefined;
let events: UffdHandlerEvent[];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'uffd-handler-'));
  events = [];
});
afterEach(async () => {
  await handler?.close('hard');
  handler = undefined;
  rmSync(dir, { recursive: true, force: true });
});

function serve(options: Partial<UffdHandlerOptions> = {}): string {
  const socket = join(dir, 'handler.sock');
  handler = listenForPeers({ socket, policy: () => policyNamed('clock'), store: () => memoryStore(), ...options });
  handler.events$.subscribe((event) => events.push(event));
  return socket;
}

/** Waits (up to 10 s) until an event of `type` has come. */
async function until(type: UffdHandlerEvent['type'], count = 1): Promise<UffdHandlerEvent[]> {
  const deadline = Date.now() + 10_000;
  while (events.filter((e) => e.type === type).length < count) {
    if (Date.now() > deadline) throw new Error(`no ${type} event within 10 s; events: ${JSON.stringify(events.map((e) => e.type))}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return events.filter((e) => e.type === type);
}

function stepsPassed(stdout: string): string[] {
  expect(stdout).not.toContain('FAIL');
  return stdout.trim().split('\n');
}

const root = process.getuid?.() === 0;
const it = (name: string, body: () => Promise<void>, also = true) => uffdIt(name, body, peerAvailable && also);

describe(`the uffd handler serves another process's memory, Firecracker's handshake${skipReason}${peerSkipReason}`, () => {
  it('serves every first fault from the memory snapshot, across several mappings', async () => {
    const socket = serve({ memFile: snapshotFile(dir, PAGES, 7) });
    const run = await runPeer(['--socket', socket, '--pages', String(PAGES), '--segments', '4', 'check', '7']);
    expect(run.code, run.stderr).toBe(0);
    expect(stepsPassed(run.stdout)).toEqual(['ok sent', 'ok check 7']);
    const [exited] = await until('peer.exited');
    if (exited?.type !== 'peer.exited') throw new Error('unreachable');
    expect(exited.peer.mappings).toHaveLength(4);
    expect(exited.stats.zeroFills).toBe(PAGES); // each page filled from the snapshot on its first fault
  });

  it('forgets pages the peer removes (a balloon) and answers their next faults with zeros', async () => {
    const socket = serve({ memFile: snapshotFile(dir, PAGES, 7) });
    const run = await runPeer(['--socket', socket, '--pages', String(PAGES), 'check', '7', 'remove', '10', '40', 'zeros', '10', '40', 'write', '9', 'check', '9']);
    expect(run.code, run.stderr).toBe(0);
    expect(stepsPassed(run.stdout)).toEqual(['ok sent', 'ok check 7', 'ok remove 10 40', 'ok zeros 10 40', 'ok write 9', 'ok check 9']);
    const [exited] = await until('peer.exited');
    if (exited?.type !== 'peer.exited') throw new Error('unreachable');
    expect(exited.stats.drops).toBe(40);
  });

  it('evicts a peer that sends its memfd down to the target and pages it back with its content', async () => {
    const socket = serve({ memFile: snapshotFile(dir, PAGES, 7), target: 32 });
    const run = await runPeer(['--socket', socket, '--pages', String(PAGES), '--memfd', 'check', '7', 'write', '11', 'check', '11', 'remove', '0', '16', 'zeros', '0', '16']);
    expect(run.code, run.stderr + run.stdout).toBe(0);
    expect(stepsPassed(run.stdout)).toEqual(['ok sent', 'ok check 7', 'ok write 11', 'ok check 11', 'ok remove 0 16', 'ok zeros 0 16']);
    const [serving] = await until('peer.serving');
    expect(serving?.type === 'peer.serving' && serving.evicting).toBe(true);
    const [exited] = await until('peer.exited');
    if (exited?.type !== 'peer.exited') throw new Error('unreachable');
    expect(exited.stats.evictions).toBeGreaterThan(PAGES);
    expect(exited.stats.pagedIn).toBeGreaterThan(PAGES - 32);
  });

  it('ends the session of a peer that dies mid-run, and serves the next peer', async () => {
    const socket = serve({ memFile: snapshotFile(dir, PAGES, 7) });
    const dead = await runPeer(['--socket', socket, '--pages', String(PAGES), 'check', '7', 'die']);
    expect(dead.code).toBe(3);
    await until('peer.exited');
    expect(handler!.peers).toHaveLength(0);
    const next = await runPeer(['--socket', socket, '--pages', String(PAGES), 'check', '7']);
    expect(next.code, next.stderr).toBe(0);
    await until('peer.exited', 2);
  });

  // A peer that sent its uffd is killed when refused: Firecracker keeps no copy, so its memory would read zeros.
  for (const [bad, reason, killed] of [
    ['json', /not JSON/, true],
    ['outside', /not memory peer \d+ has mapped/, true],
    ['overlap', /overlap in the peer's memory/, true],
    ['huge', /4 KiB pages only/, true],
    ['notuffd', /first descriptor is a other, not a userfaultfd/, false],
    ['nofd', /first descriptor is missing/, false],
    ['silent', /no message within the time allowed/, false],
  ] as const) {
    it(`refuses a ${bad} handshake with a typed reason${killed ? ', kills the peer' : ''}, allocates nothing, and serves the next peer`, async () => {
      const socket = serve({ memFile: snapshotFile(dir, PAGES, 7) });
      const run = await runPeer(['--socket', socket, '--pages', String(PAGES), '--segments', '2', '--bad', bad]);
      expect(run.signal, run.stderr).toBe(killed ? 'SIGKILL' : null);
      expect(run.stderr).not.toContain('deadline');
      const [refused] = await until('peer.refused');
      if (refused?.type !== 'peer.refused') throw new Error('unreachable');
      expect(refused.reason).toMatch(reason);
      expect(refused.killed).toBe(killed);
      expect(handler!.peers).toHaveLength(0);
      const good = await runPeer(['--socket', socket, '--pages', String(PAGES), 'check', '7']);
      expect(good.code, good.stderr).toBe(0);
    });
  }

  it('refuses a peer announcing more memory than the limit, before allocating', async () => {
    const socket = serve({ maxBytes: (PAGES / 2) * 4096 });
    const run = await runPeer(['--socket', socket, '--pages', String(PAGES), 'sleep', '5000']);
    expect(run.signal, run.stderr).toBe('SIGKILL');
    const [refused] = await until('peer.refused');
    expect(refused?.type === 'peer.refused' && refused.reason).toMatch(/limit is 524288/);
  });

  it('refuses a peer whose memory is larger than a truncated snapshot', async () => {
    const socket = serve({ memFile: snapshotFile(dir, PAGES, 7, 100 * 4096 + 17) });
    await runPeer(['--socket', socket, '--pages', String(PAGES)]);
    const [refused] = await until('peer.refused');
    expect(refused?.type === 'peer.refused' && refused.reason).toMatch(/truncated/);
  });

  it('creates its socket mode 0600, so another uid cannot even connect (root: a second uid)', async () => {
    chmodSync(dir, 0o755); // only the socket's own mode stands in the way
    const socket = serve({ memFile: snapshotFile(dir, PAGES, 7) });
    expect(statSync(socket).mode & 0o777).toBe(0o600);
    const other = await runPeer(['--socket', socket, '--pages', String(PAGES), '--uid', '12345', 'check', '7']);
    expect(other.code).toBe(2);
    expect(other.stderr).toMatch(/connect: Permission denied/);
  }, root);

  it('lets in a uid on the allow list and refuses any other with one event (root: two more uids)', async () => {
    chmodSync(dir, 0o755); // the other uids must reach the socket: the allow list is the gate
    const socket = serve({ memFile: snapshotFile(dir, PAGES, 7), allowUids: [54321] });
    expect(statSync(socket).mode & 0o777).toBe(0o666);
    const stranger = await runPeer(['--socket', socket, '--pages', String(PAGES), '--uid', '12345', 'sleep', '500']);
    expect(stranger.code, stranger.stderr).toBe(0); // not killed: a uid that may not connect sees no effect
    const refused = await until('peer.refused');
    expect(refused).toHaveLength(1);
    expect(refused[0]?.type === 'peer.refused' && refused[0].killed).toBe(false);
    expect(refused[0]?.type === 'peer.refused' && refused[0].reason).toMatch(/uid 12345 is neither/);
    const allowed = await runPeer(['--socket', socket, '--pages', String(PAGES), '--uid', '54321', 'check', '7']);
    expect(allowed.code, allowed.stderr).toBe(0);
    expect(stepsPassed(allowed.stdout)).toEqual(['ok sent', 'ok check 7']);
  }, root);

  /** Runs the handler in a child that exits mid-run, with the peer given `steps`; the peer's outcome. */
  async function handlerExitsUnder(steps: string[], how: 'exit' | 'kill' = 'exit') {
    const socket = join(dir, 'child.sock');
    const script = fileURLToPath(new URL('./support/handler-exits.ts', import.meta.url));
    const child = spawn(process.execPath, ['--import', 'tsx', '--conditions=@pagevisor/source', script, socket, snapshotFile(dir, 1024, 7), how], {
      env: { ...process.env, TSX_TSCONFIG_PATH: fileURLToPath(new URL('../../../tsconfig.base.json', import.meta.url)) },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
    const peer = await runPeer(['--socket', socket, '--pages', '1024', ...steps], 10_000);
    return { peer, handler: await exited };
  }

  it('kills a peer with pages not in yet when the handler exits, rather than leave it hanging', async () => {
    const { peer, handler: code } = await handlerExitsUnder(['sleep', '1500', 'check', '7']);
    expect(code).toBe(5);
    expect(peer.signal, peer.stderr).toBe('SIGKILL');
    expect(peer.stderr).not.toContain('deadline');
    expect(peer.stdout).not.toContain('ok check');
  });

  it('leaves a peer whose pages are all in running on plain memory when the handler exits', async () => {
    const { peer, handler: code } = await handlerExitsUnder(['check', '7', 'sleep', '1000', 'check', '7', 'write', '3', 'check', '3']);
    expect(code).toBe(5);
    expect(peer.code, peer.stderr).toBe(0);
    expect(stepsPassed(peer.stdout)).toEqual(['ok sent', 'ok check 7', 'ok check 7', 'ok write 3', 'ok check 3']);
  });

  it('has its guardian kill the peer when the handler is killed outright (SIGKILL), so the peer never reads zeros', async () => {
    const { peer, handler: code } = await handlerExitsUnder(['sleep', '1500', 'check', '7'], 'kill');
    expect(code).toBeNull(); // killed
    expect(peer.signal, peer.stdout + peer.stderr).toBe('SIGKILL');
    expect(peer.stderr).not.toContain('deadline');
    expect(peer.stdout).not.toContain('check');
  });

  it('has its watchdog kill a peer whose fault the pager leaves unanswered past the deadline (a store that hangs)', async () => {
    const hanging = () => faultyStore(memoryStore(), (store) => store.inject('read', { fails: false, delayMs: 2 ** 31 - 1 }));
    const socket = serve({ memFile: snapshotFile(dir, PAGES, 7), target: 32, store: hanging, watchdog: { deadlineMs: 300 } });
    const started = performance.now();
    const run = await runPeer(['--socket', socket, '--pages', String(PAGES), '--memfd', 'write', '11', 'check', '11']);
    expect(run.signal, run.stdout + run.stderr).toBe('SIGKILL');
    expect(run.stderr).not.toContain('deadline');
    expect(run.stdout).toContain('ok write 11');
    expect(performance.now() - started).toBeLessThan(5_000);
  });
});
