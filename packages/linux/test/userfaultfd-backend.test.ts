import { describe, expect, it } from 'vitest';
import { FAULT_ABSENT, PAGE_REMOVED, type FaultBatch } from '@pagevisor/core';
import { UserfaultfdBackend } from '../src/index.js';
import { NATIVE_OK, NATIVE_PRESENT, NATIVE_REMOVE, NATIVE_RETRY, type NativeAddon } from '../src/internal/native-addon.js';

/**
 * The backend's bookkeeping against a scripted addon: the kernel's answers (EEXIST, EAGAIN, removals)
 * in orders a real region produces only now and then.
 */
function scripted(records: Array<[page: number, flags: number]>, answers: number[]) {
  const calls: string[] = [];
  const native = {
    start: () => undefined,
    drain: (_id: number, pages: Uint32Array, flags: Uint8Array, who: Int32Array, max: number) => {
      const n = Math.min(max, records.length);
      for (const [i, [page, f]] of records.splice(0, n).entries()) {
        pages[i] = page;
        flags[i] = f;
        who[i] = 1;
      }
      return n;
    },
    zero: (_id: number, pages: Uint32Array, count: number, outcome: Uint8Array) => {
      calls.push(`zero ${[...pages.subarray(0, count)].join(',')}`);
      for (let i = 0; i < count; i++) outcome[i] = answers.shift() ?? NATIVE_OK;
    },
    protect: (_id: number, pages: Uint32Array, count: number, on: boolean) => calls.push(`protect ${on} ${[...pages.subarray(0, count)].join(',')}`),
  } as unknown as NativeAddon;
  const backend = new UserfaultfdBackend(native, 0, 16, 'scripted', 16);
  const batch: FaultBatch = { pages: new Uint32Array(64), flags: new Uint8Array(64), who: new Int32Array(64), ids: new Uint32Array(64) };
  return { backend, batch, calls };
}

describe('the userfaultfd backend keeps count of what is resident', () => {
  it('counts a page once when two threads fault on it first in one batch (the second fill answers EEXIST)', () => {
    const { backend, batch, calls } = scripted([[5, 0], [5, 1]], [NATIVE_OK, NATIVE_PRESENT]);
    const n = backend.drainFaults(batch);
    expect(n).toBe(2);
    expect(batch.flags[0]! & FAULT_ABSENT).toBe(FAULT_ABSENT);
    backend.completeFaults(batch.ids, n);
    expect(calls).toEqual(['zero 5,5']);
    expect(backend.residentPages()).toBe(1);
  });

  it('leaves a fill the kernel answers EAGAIN for missing, and serves it again with the next drain', async () => {
    const { backend, batch, calls } = scripted([[3, 0]], [NATIVE_RETRY, NATIVE_OK]);
    backend.completeFaults(batch.ids, backend.drainFaults(batch));
    expect(backend.residentPages()).toBe(0);
    const again = backend.drainFaults(batch);
    expect([again, batch.pages[0], batch.flags[0]]).toEqual([1, 3, FAULT_ABSENT]);
    backend.completeFaults(batch.ids, again);
    expect(calls).toEqual(['zero 3', 'zero 3']);
    expect(backend.residentPages()).toBe(1);
  });

  it('turns a removal into a record nobody waits on, and forgets the page', () => {
    const records: Array<[number, number]> = [[2, 0]];
    const { backend, batch, calls } = scripted(records, []);
    backend.completeFaults(batch.ids, backend.drainFaults(batch));
    expect(backend.residentPages()).toBe(1);
    records.push([2, NATIVE_REMOVE]);
    const n = backend.drainFaults(batch);
    expect([n, batch.pages[0], batch.flags[0], batch.who[0]]).toEqual([1, 2, PAGE_REMOVED, -1]);
    expect(backend.residentPages()).toBe(0);
    backend.completeFaults(batch.ids, n);
    expect(calls).toEqual(['zero 2']); // the removal's record wakes nobody and fills nothing
  });
});
