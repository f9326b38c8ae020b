import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { moduleWorker } from '../src/workers/module-worker.js';

function firstMessage(worker: Worker): Promise<unknown> {
  return new Promise((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
}

describe('moduleWorker', () => {
  it('from the sources, runs the .ts module beside the caller with tsx and the workspace sources', async () => {
    const tsconfig = new URL('../../../tsconfig.base.json', import.meta.url).pathname;
    const caller = new URL('./support/caller.ts', import.meta.url).href;
    const worker = moduleWorker(caller, 'echo-worker', { workerData: { n: 7 } }, tsconfig);
    try {
      expect(await firstMessage(worker)).toEqual({ workerData: { n: 7 }, ringPageBytes: 4096 });
    } finally {
      await worker.terminate();
    }
  });

  it('built, runs the .js module beside the caller as it is', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'module-worker-'));
    try {
      writeFileSync(join(dir, 'answer.js'), "import { parentPort, workerData } from 'node:worker_threads'; parentPort.postMessage(workerData * 2);\n");
      const worker = moduleWorker(pathToFileURL(join(dir, 'caller.js')).href, 'answer', { workerData: 21 });
      try {
        expect(await firstMessage(worker)).toBe(42);
      } finally {
        await worker.terminate();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
