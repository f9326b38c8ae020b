import { describe, expect, it } from 'vitest';
import { OwedPages } from '../src/migration/owed-pages.js';
import { PostcopySource } from '../src/migration/postcopy-source.js';
import { PostcopyStore } from '../src/migration/postcopy-store.js';
import { encodeMigrationHeader, encodeMigrationRecord } from '@pagevisor/core';
import { MapStore } from './support/map-store.js';

const page = (byte: number) => new Uint8Array(4096).fill(byte);

function owedStore(owedGfns: number[]) {
  const owed = new OwedPages(64);
  for (const gfn of owedGfns) owed.owe(gfn);
  const requests: number[][] = [];
  const inner = new MapStore();
  const store = new PostcopyStore(inner, owed, (gfns) => requests.push([...gfns]));
  return { owed, inner, store, requests };
}

describe('the destination side of post-copy', () => {
  it('a read of an owed page asks for it once and waits until it lands; pages not owed are read at once', async () => {
    const { store, requests } = owedStore([5, 6]);
    await store.writeBatch(Uint32Array.of(1), page(1), 1);
    const into = new Uint8Array(3 * 4096);
    let done = false;
    const read = store.readBatch(Uint32Array.of(1, 5, 6), 3, into).then(() => (done = true));
    await new Promise((resolve) => setImmediate(resolve));
    expect([requests, done]).toEqual([[[5, 6]], false]);
    await store.land(Uint32Array.of(5), page(5), 1);
    await new Promise((resolve) => setImmediate(resolve));
    expect(done).toBe(false); // 6 still owed
    await store.land(Uint32Array.of(6), page(6), 1);
    await read;
    expect([into[0], into[4096], into[8192]]).toEqual([1, 5, 6]);
  });

  it('lands a page once: a second copy, or one the guest gave up meanwhile, is dropped', async () => {
    const { owed, inner, store } = owedStore([5, 6, 7]);
    const both = new Uint8Array(2 * 4096);
    both.set(page(5), 0);
    both.set(page(7), 4096);
    expect([...(await store.land(Uint32Array.of(5, 7), both, 2))]).toEqual([5, 7]);
    await store.writeBatch(Uint32Array.of(5), page(0x55), 1); // the guest wrote it, the pager evicted it
    expect([...(await store.land(Uint32Array.of(5), page(5), 1))]).toEqual([]); // a late duplicate
    await store.deleteBatch(Uint32Array.of(6), 1); // a balloon gave 6 up while it was owed
    expect([...(await store.land(Uint32Array.of(6), page(6), 1))]).toEqual([]);
    expect(owed.count).toBe(0);
    const into = new Uint8Array(4096);
    await inner.readBatch(Uint32Array.of(5), 1, into);
    expect(into[0]).toBe(0x55);
    expect(inner.stats().pages).toBe(2);
    await store.dropAll();
    expect(inner.stats().pages).toBe(0);
  });

  it('a failed post-copy fails every wait, present and future', async () => {
    const { owed, store } = owedStore([9]);
    const read = store.readBatch(Uint32Array.of(9), 1, new Uint8Array(4096));
    owed.fail(new Error('lost'));
    await expect(read).rejects.toThrow('lost');
    await expect(store.readBatch(Uint32Array.of(9), 1, new Uint8Array(4096))).rejects.toThrow('lost');
  });
});

describe('the source side of post-copy', () => {
  it('sends requested pages first, then the rest by gfn, each once; a reconnect starts from the destination\'s list', () => {
    const source = new PostcopySource(16);
    for (const gfn of [2, 3, 9, 12]) source.unsent[gfn] = 1;
    source.begin();
    source.receive(encodeMigrationHeader({ domainType: 'hvm', gfns: 16 }));
    source.receive(encodeMigrationRecord({ type: 'page-request', count: 2, gfns: Uint32Array.of(12, 4) }));
    expect([...source.next(2)]).toEqual([12, 2]); // 4 is not owed: nothing to send for it
    expect([...source.next(8)]).toEqual([3, 9]);
    expect([...source.next(8)]).toEqual([]);
    source.reconnect();
    source.receive(encodeMigrationHeader({ domainType: 'hvm', gfns: 16 }));
    source.receive(encodeMigrationRecord({ type: 'postcopy-missing', count: 2, gfns: Uint32Array.of(9, 12) }));
    expect([...source.next(8)]).toEqual([9, 12]);
    expect(() => source.receive(encodeMigrationRecord({ type: 'end' }))).toThrow(/end record on the return path/);
  });
});
