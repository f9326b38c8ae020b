import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { PagefileStore } from '@pagevisor/storage';

const ROUNDS = 20;
const root = fileURLToPath(new URL('../../..', import.meta.url));
const writer = fileURLToPath(new URL('./support/crash-writer.ts', import.meta.url));

/** Runs the writer for `ms`, SIGKILLs it, and returns the last acknowledged version of each gfn. */
function crashRound(path: string, round: number, ms: number, acked: Map<number, number>): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--conditions=@pagevisor/source', '--import', 'tsx', writer, path, String(round), String(round * 7919 + 1)], {
      cwd: root,
      env: { ...process.env, TSX_TSCONFIG_PATH: join(root, 'tsconfig.base.json') },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let buffered = '';
    let stderr = '';
    let started = false;
    child.stdout.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop()!; // a line cut by the kill is not an acknowledgement
      for (const line of lines) {
        const [, gfn, version] = line.split(' ');
        acked.set(Number(gfn), Number(version));
      }
      if (!started) {
        started = true;
        setTimeout(() => child.kill('SIGKILL'), ms);
      }
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('exit', (code, signal) => (signal === 'SIGKILL' ? resolve() : reject(new Error(`writer exited ${code}: ${stderr}`))));
  });
}

describe('pagefile crash safety', () => {
  it(`finds every acknowledged page, at its version or later and intact, after ${ROUNDS} SIGKILLs`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pagefile-crash-'));
    const path = join(dir, 'crash.pagefile');
    const acked = new Map<number, number>();
    try {
      for (let round = 1; round <= ROUNDS; round++) {
        await crashRound(path, round, 20 + ((round * 37) % 180), acked);
        const store = await PagefileStore.open({ path }, 512);
        const page = new Uint8Array(4096);
        for (const [gfn, version] of acked) {
          await store.readBatch(Uint32Array.of(gfn), 1, page); // throws STORE_MISSING or STORE_CORRUPT
          const header = new TextDecoder().decode(page.subarray(0, 64)).split('\n')[0]!;
          const found = /^pagevisor-stress gfn=(\d+) version=(\d+)$/.exec(header);
          expect(found, `gfn ${gfn} after round ${round}`).not.toBeNull();
          expect(Number(found![1])).toBe(gfn);
          expect(Number(found![2])).toBeGreaterThanOrEqual(version);
        }
        await store.close();
      }
      expect(acked.size).toBeGreaterThan(100);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
