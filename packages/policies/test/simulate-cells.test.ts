import { describe, expect, it } from 'vitest';
import { createPolicy, simulateCells, simulateTrace } from '@pagevisor/policies';
import { referenceTrace } from './support/reference.js';

describe('simulateCells', () => {
  const { ids, distinct } = referenceTrace('lirs-sprite');
  const cells = ['lru', 'arc', 'belady', 'lhd', 'wtinylfu'].flatMap((policy) => [71, 708].map((size) => ({ policy, size })));
  const alone = cells.map((cell) => simulateTrace(ids, distinct, (context) => createPolicy(cell.policy, context), cell.size, cell.policy === 'belady'));

  it('on two worker threads over one shared copy of the trace: what simulateTrace gives for each cell, in the cells\' order', async () => {
    const done: number[] = [];
    const results = await simulateCells(ids, distinct, cells, { threads: 2, onResult: (_, __, n) => done.push(n) });
    expect(results.map((r) => [r.policy, r.size, r.misses])).toEqual(alone.map((r) => [r.policy, r.size, r.misses]));
    expect(done).toEqual(cells.map((_, i) => i + 1));
  }, 60_000);

  it('on this thread (threads: 1): the same', async () => {
    const results = await simulateCells(ids, distinct, cells, { threads: 1 });
    expect(results.map((r) => r.misses)).toEqual(alone.map((r) => r.misses));
  });

  it('stops handing out cells once aborted and returns the ones that finished', async () => {
    const controller = new AbortController();
    const results = await simulateCells(ids, distinct, cells, { threads: 2, signal: controller.signal, onResult: () => controller.abort() });
    expect(results.length).toBeGreaterThanOrEqual(1);
    expect(results.length).toBeLessThanOrEqual(2);
    for (const r of results) expect(r.misses).toBe(alone.find((a) => a.policy === r.policy && a.size === r.size)!.misses);
  }, 60_000);

  it('refuses a bad size or a policy trace simulation cannot run before running anything', async () => {
    await expect(simulateCells(ids, distinct, [{ policy: 'lru', size: 1.5 }])).rejects.toMatchObject({ code: 'CONFIG', setting: 'size' });
    await expect(simulateCells(ids, distinct, [{ policy: 'xenpaging', size: 10 }])).rejects.toMatchObject({ code: 'CONFIG', setting: 'policy' });
  });
});
