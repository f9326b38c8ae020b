import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, inject, it } from 'vitest';
import type { PageStore } from '@pagevisor/core';
import { PagefileStore, RedisStore, SqliteStore } from '@pagevisor/storage';
import { checkStressAcks } from '@pagevisor/testing';
import type {} from '../../vitest.redis-setup.js'; // the type of inject('redis')
import { QUICK, slowTestName } from '../../vitest.quick.js';

/**
 * `pagevisor store stress` runs in a child process and prints each operation once a
 * durable flush covered it; the test SIGKILLs it at a random moment, reopens the store, and checks
 * that every acknowledged operation held and every page is intact. 12 rounds per durable store and
 * sync policy (60 kills in all, at moments spread over 10 to 410 ms after the first acknowledgement).
 */
const ROUNDS = 12;
const OPTIONS = { ops: 1_000_000, gfns: 512, batch: 32 };
const root = fileURLToPath(new URL('../..', import.meta.url));
const bin = join(root, 'packages/cli/src/bin.ts');

/** Runs the stress command until `killAfterMs` after its first ack, kills it, and returns the ack lines. */
function crashRound(storeArgs: string[], seed: number, killAfterMs: number): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const args = ['store', 'stress', ...storeArgs, '--ops', String(OPTIONS.ops), '--gfns', String(OPTIONS.gfns), '--batch', String(OPTIONS.batch), '--seed', String(seed)];
    const child = spawn(process.execPath, ['--conditions=@pagevisor/source', '--import', 'tsx', bin, ...args], {
      cwd: root,
      env: { ...process.env, TSX_TSCONFIG_PATH: join(root, 'tsconfig.base.json') },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const acks: string[] = [];
    let buffered = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      if (acks.length === 0) setTimeout(() => child.kill('SIGKILL'), killAfterMs);
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop()!; // a line cut by the kill is not an acknowledgement
      acks.push(...lines);
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('exit', (code, signal) => (signal === 'SIGKILL' ? resolve(acks) : reject(new Error(`stress exited with ${code} before the kill: ${stderr}`))));
  });
}

/** `ROUNDS` crash rounds against a fresh store each; `open` reopens the store a round used. */
function crashTest(name: string, storeArgs: (round: number) => string[], open: (round: number) => Promise<PageStore>, skip = false): void {
  it.skipIf(skip || QUICK)(slowTestName(`${name}: every acknowledged operation survives ${ROUNDS} SIGKILLs at random moments, every page intact`), { timeout: 240_000 }, async () => {
    let acked = 0;
    for (let round = 1; round <= ROUNDS; round++) {
      const seed = round * 7919;
      const acks = await crashRound(storeArgs(round), seed, 10 + ((round * 53) % 400));
      expect(acks.length, `round ${round}: the child acknowledged nothing before it was killed`).toBeGreaterThan(0);
      const store = await open(round);
      try {
        const check = await checkStressAcks(store, { ...OPTIONS, seed }, acks);
        expect(check.problems, `round ${round} (seed ${seed}, ${acks.length} acks)`).toEqual([]);
        // Recovering again after the reopened store's first flush (orphans reclaimed) changes nothing.
        await store.flush();
      } finally {
        await store.close();
      }
      const again = await open(round);
      expect((await checkStressAcks(again, { ...OPTIONS, seed }, acks)).problems).toEqual([]);
      await again.close();
      acked += acks.length;
    }
    expect(acked).toBeGreaterThan(ROUNDS * OPTIONS.batch);
  });
}

describe('crash safety of the durable stores (pagevisor store stress, SIGKILL, reopen)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'store-crash-'));
  const file = (round: number, ext: string) => join(dir, `round-${round}.${ext}`);
  // fsync none (the paging default: pages written, never synced, survive the pager's death) and batch
  // (synced at every flush, for pages that must outlive a host crash; a SIGKILL cannot test that part).
  for (const fsync of ['none', 'batch'] as const) {
    const name = (round: number, ext: string) => file(round, `${fsync}.${ext}`);
    crashTest(`pagefile, fsync ${fsync}`, (round) => ['--store', 'pagefile', '--fsync', fsync, '--path', name(round, 'pagefile')], (round) => PagefileStore.open({ path: name(round, 'pagefile') }, OPTIONS.gfns));
    crashTest(`sqlite, sync ${fsync}`, (round) => ['--store', 'sqlite', '--fsync', fsync, '--path', name(round, 'sqlite')], (round) => SqliteStore.open({ path: name(round, 'sqlite') }, OPTIONS.gfns));
  }
  const redis = inject('redis');
  const prefix = (round: number) => `crash:${process.pid}:${round}`;
  crashTest(
    `redis${redis.missing ? ` (skipped: ${redis.missing})` : ''}`,
    (round) => ['--store', 'redis', '--url', redis.url ?? '', '--prefix', prefix(round)],
    (round) => RedisStore.open({ url: redis.url, prefix: prefix(round) }, OPTIONS.gfns),
    redis.url === undefined,
  );
  it('cleans up', () => rmSync(dir, { recursive: true, force: true }));
});
