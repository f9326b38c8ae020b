import { mix32 } from './mix32.js';

/**
 * A counting Bloom filter over page ids, for frequency estimates: `hashes` counters per id (double
 * hashing of two 32-bit hashes), an add increments all of them, an estimate is their minimum, and a
 * decay halves every counter. Sized as libCacheSim's `minimalIncrementCBF` for `entries` ids at a
 * false-positive rate (libCacheSim/dataStructure/minimalIncrementCBF.c, whose add, despite its name,
 * increments every counter too), or compactly as Caffeine's sketch. The hashes are MurmurHash3's 32-bit finalizer with two seeds,
 * not libCacheSim's XXH64 of the 8-byte id: estimates agree in distribution, not counter by counter.
 */
export class CountingBloomFilter {
  private readonly counters: Uint32Array;
  private readonly hashes: number;
  /** `counters.length - 1` when it is a power of two (an index is then masked, not divided), else 0. */
  private readonly mask: number;

  /** @param counters - how many; @param hashes - counters per id */
  private constructor(counters: number, hashes: number) {
    this.counters = new Uint32Array(counters);
    this.hashes = hashes;
    this.mask = (counters & (counters - 1)) === 0 ? counters - 1 : 0;
  }

  /** libCacheSim's sizing: for `entries` ids at false-positive rate `error` (0.001: 15 counters and 10 hashes per id). */
  static forErrorRate(entries: number, error: number): CountingBloomFilter {
    const bitsPerEntry = -Math.log(error) / (Math.LN2 * Math.LN2);
    const hashes = Math.ceil(Math.LN2 * bitsPerEntry);
    return new CountingBloomFilter(Math.max(Math.ceil(bitsPerEntry * entries), hashes * 2), hashes);
  }

  /** Caffeine's `FrequencySketch` sizing: four counters per id, at least four times `entries` counters, a power of two. */
  static compact(entries: number): CountingBloomFilter {
    let counters = 16;
    while (counters < 4 * entries) counters *= 2;
    return new CountingBloomFilter(counters, 4);
  }

  /** Counts one more occurrence of `id`. */
  add(id: number): void {
    const { counters, hashes, mask } = this;
    const a = mix32(id ^ 0x9e3779b9);
    const b = mix32(id ^ 0x85ebca6b);
    for (let i = 0; i < hashes; i++) {
      const x = (a + Math.imul(i, b)) >>> 0;
      counters[mask !== 0 ? x & mask : x % counters.length]!++;
    }
  }

  /** How often `id` occurred, at least (the least of its counters). */
  estimate(id: number): number {
    const { counters, hashes, mask } = this;
    const a = mix32(id ^ 0x9e3779b9);
    const b = mix32(id ^ 0x85ebca6b);
    let least = 0xffffffff;
    for (let i = 0; i < hashes; i++) {
      const x = (a + Math.imul(i, b)) >>> 0;
      least = Math.min(least, counters[mask !== 0 ? x & mask : x % counters.length]!);
    }
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
