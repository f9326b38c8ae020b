import { describe } from 'vitest';
import { Worker } from 'node:worker_threads';
import { backendConformanceCases, type BackendGuest } from '@pagevisor/testing';
import { openPagedRegion, type AccessSamplingOptions } from '../src/index.js';
import { skipReason, uffdIt } from './support/uffd-required.js';


/** A region of 64 pages (sampled, if asked) and a Worker touching it as the guest. */
async function create(sampling?: AccessSamplingOptions) {
  const region = openPagedRegion({ pages: 64, sampling });
  const worker = new Worker(new URL('./support/boot-worker.mjs', import.meta.url), {
    workerData: { region: region.id, script: new URL('./support/guest-worker.ts', import.meta.url).href },
    execArgv: ['--conditions=@pagevisor/source'],
  });
  const waiting = new Map<number, { resolve: (bytes: Uint8Array) => void; reject: (error: unknown) => void }>();
  worker.on('message', ({ seq, bytes }: { seq: number; bytes: Uint8Array }) => {
    waiting.get(seq)?.resolve(bytes);
    waiting.delete(seq);
  });
  // One listener for the Worker's failure, failing every call still waiting (not one listener per call).
  worker.on('error', (error) => {
    for (const { reject } of waiting.values()) reject(error);
    waiting.clear();
  });
  let seq = 0;
  const call = (op: 'write' | 'read', page: number) =>
    new Promise<Uint8Array>((resolve, reject) => {
      waiting.set(++seq, { resolve, reject });
      worker.postMessage({ seq, op, page });
    });
  const guest: BackendGuest = { write: (page) => call('write', page), read: (page) => call('read', page) };
  return {
    backend: region.backend,
    guest,
    cleanup: async () => {
      await worker.terminate();
      region.close();
    },
  };
}

describe(`the backend conformance suite on userfaultfd${skipReason}`, () => {
  for (const c of backendConformanceCases({ name: 'userfaultfd', create: () => create() })) uffdIt(c.name, c.run);
  // Every page soft-evicted again each millisecond: the minor faults race every step of the suite.
  const sampled = { name: 'userfaultfd sampled', create: () => create({ fraction: 1, intervalMs: 1 }) };
  for (const c of backendConformanceCases(sampled)) uffdIt(c.name, c.run);
});
