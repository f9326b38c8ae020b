import { mix32 } from './mix32.js';

/**
 * A counting Bloom filter over page ids, for frequency estimates: `hashes` counters per id (double
 * hashing of two 32-bit hashes), an add increments all of them, an estimate is their minimum, and a
 * decay halves every counter. Sized as libCacheSim's `minimalIncrementCBF` for `entries` ids at a
 * false-positive rate `error` (libCacheSim/dataStructure/minimalIncrementCBF.c, whose add, despite its
 * name, increments every counter too). The hashes are MurmurHash3's 32-bit finalizer with two seeds,
 * not libCacheSim's XXH64 of the 8-byte id: estimates agree in distribution, not counter by counter.
 */
export class CountingBloomFilter {
  private readonly counters: Uint32Array;
  private readonly hashes: number;

  constructor(entries: number, error: number) {
    const bitsPerEntry = -Math.log(error) / (Math.LN2 * Math.LN2);
    this.hashes = Math.ceil(Math.LN2 * bitsPerEntry);
    this.counters = new Uint32Array(Math.max(Math.ceil(bitsPerEntry * entries), this.hashes * 2));
  }

  /** Counts one more occurrence of `id`. */
  add(id: number): void {
    const { counters, hashes } = this;
    const a = mix32(id ^ 0x9e3779b9);
    const b = mix32(id ^ 0x85ebca6b);
    for (let i = 0; i < hashes; i++) counters[((a + Math.imul(i, b)) >>> 0) % counters.length]!++;
  }

  /** How often `id` occurred, at least (the least of its counters). */
  estimate(id: number): number {
    const { counters, hashes } = this;
    const a = mix32(id ^ 0x9e3779b9);
    const b = mix32(id ^ 0x85ebca6b);
    let least = 0xffffffff;
    for (let i = 0; i < hashes; i++) least = Math.min(least, counters[((a + Math.imul(i, b)) >>> 0) % counters.length]!);
    return least;
  }

  /** Halves every counter (ageing). */
  decay(): void {
    const { counters } = this;
    for (let i = 0; i < counters.length; i++) counters[i] = counters[i]! >>> 1;
  }

  /** Bytes it holds. */
  get bytes(): number {
    return this.counters.byteLength;
  }
}
