import { describe, expect, it } from 'vitest';
import { CompressedStore, MemoryPageStore } from '@pagevisor/storage';
import { fillTextPage, SeededRandom } from '@pagevisor/testing';
import { rejection } from './support/rejection.js';

describe('CompressedStore', () => {
  it('keeps a zero page as a 1-byte marker, compresses text, and stores random bytes as they are', async () => {
    const inner = new MemoryPageStore(16);
    const store = new CompressedStore(inner);
    const pages = new Uint8Array(3 * 4096);
    fillTextPage(pages.subarray(4096, 8192), 1);
    const noise = new SeededRandom(2);
    for (let i = 8192; i < pages.length; i++) pages[i] = noise.int(256);
    await store.writeBatch(Uint32Array.of(0, 1, 2), pages, 3);
    const lengths = new Uint16Array(3);
    await inner.readBatch(Uint32Array.of(0, 1, 2), 3, new Uint8Array(3 * 4096), lengths);
    expect(lengths[0]).toBe(1);
    expect(lengths[1]).toBeLessThan(2048);
    expect(lengths[2]).toBe(4096);
    expect(store.compression()).toMatchObject({ zeroPages: 1, compressed: 1, stored: 1, bytesIn: 3 * 4096 });
    expect(store.stats().bytes).toBe(inner.stats().bytes);
    const back = new Uint8Array(3 * 4096).fill(0xee);
    await store.readBatch(Uint32Array.of(0, 1, 2), 3, back);
    expect(Buffer.from(back).equals(Buffer.from(pages))).toBe(true);
  });

  it('names the gfn of a record that does not decompress, and of one with an unknown tag', async () => {
    const inner = new MemoryPageStore(16);
    const store = new CompressedStore(inner);
    const junk = new Uint8Array(4096);
    junk.set([1, 0xff, 0xff, 0xff, 0xff]);
    await inner.writeBatch(Uint32Array.of(5), junk, 1, Uint16Array.of(5));
    expect(await rejection(store.readBatch(Uint32Array.of(5), 1, new Uint8Array(4096)))).toMatchObject({ code: 'STORE_CORRUPT', gfn: 5 });
    junk[0] = 9;
    await inner.writeBatch(Uint32Array.of(6), junk, 1, Uint16Array.of(5));
    expect(await rejection(store.readBatch(Uint32Array.of(6), 1, new Uint8Array(4096)))).toMatchObject({ code: 'STORE_CORRUPT', gfn: 6, message: expect.stringMatching(/unknown tag 9/) });
  });

  it('refuses an unknown codec and a level out of range', () => {
    expect(() => new CompressedStore(new MemoryPageStore(1), { codec: 'lz4' as 'deflate' })).toThrow(/unknown compression codec "lz4"/);
    expect(() => new CompressedStore(new MemoryPageStore(1), { level: 12 })).toThrow(/deflate level 12 is not 1–9/);
    expect(() => new CompressedStore(new MemoryPageStore(1), { codec: 'brotli', level: -1 })).toThrow(/brotli level -1/);
  });
});
