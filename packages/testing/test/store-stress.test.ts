import { describe, expect, it } from 'vitest';
import { STORE_PAGE_BYTES, type PageStore } from '@pagevisor/core';
import { checkStressAcks, fillStressPage, runStoreStress } from '@pagevisor/testing';
import { MapStore } from './support/map-store.js';

async function stressed(ops: number): Promise<{ store: PageStore; acks: string[] }> {
  const store = new MapStore();
  const acks: string[] = [];
  const summary = await runStoreStress(store, { ops, seed: 9, gfns: 256, batch: 16 }, (line) => acks.push(line));
  expect(summary).toMatchObject({ ops, flushes: Math.ceil(ops / 16) });
  expect(summary.puts + summary.deletes).toBe(ops);
  return { store, acks };
}

describe('store stress and its crash check', () => {
  it('acknowledges every operation in order, and a store that kept them all passes', async () => {
    const { store, acks } = await stressed(1000);
    expect(acks).toHaveLength(1000);
    expect(acks[0]).toMatch(/^ack (put \d+ 1|del \d+)$/);
    expect(await checkStressAcks(store, { ops: 1000, seed: 9, gfns: 256 }, acks)).toEqual({ acked: 1000, checked: 256, problems: [] });
  });

  it('accepts a store that is ahead of the acknowledgements (a crash after writing, before acking)', async () => {
    const { store, acks } = await stressed(1000);
    expect((await checkStressAcks(store, { ops: 1000, seed: 9, gfns: 256 }, acks.slice(0, 500))).problems).toEqual([]);
  });

  it('names a lost page, an old version, a damaged page, and an ack that does not match the seed', async () => {
    const { store, acks } = await stressed(1000);
    const held = acks.filter((line) => line.startsWith('ack put')).map((line) => line.split(' ').map(Number));
    const [, , lostGfn] = held.at(-1)!;
    await store.deleteBatch(Uint32Array.of(lostGfn!), 1);
    const [, , oldGfn] = held.at(-2)!;
    const old = new Uint8Array(STORE_PAGE_BYTES);
    fillStressPage(old, 9, oldGfn!, 1);
    await store.writeBatch(Uint32Array.of(oldGfn!), old, 1);
    const check = await checkStressAcks(store, { ops: 1000, seed: 9, gfns: 256 }, acks);
    expect(check.problems.join('\n')).toMatch(new RegExp(`gfn ${lostGfn}: missing, but version \\d+ was acknowledged`));
    expect(check.problems.join('\n')).toMatch(new RegExp(`gfn ${oldGfn}: holds version 1, but`));
    const damaged = new Uint8Array(STORE_PAGE_BYTES);
    fillStressPage(damaged, 9, oldGfn!, 1);
    damaged[3000]! ^= 1;
    await store.writeBatch(Uint32Array.of(oldGfn!), damaged, 1);
    expect((await checkStressAcks(store, { ops: 1000, seed: 9, gfns: 256 }, acks)).problems.join('\n')).toMatch(/the page of version 1 is not intact/);
    expect((await checkStressAcks(store, { ops: 1000, seed: 10, gfns: 256 }, acks)).problems[0]).toMatch(/^ack line 1 is/);
  });
});
