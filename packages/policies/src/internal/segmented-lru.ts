import type { IdLists } from './id-lists.js';

/**
 * libCacheSim's SLRU (libCacheSim/cache/eviction/SLRU.c) as a part of a policy: segments `0 … n-1`,
 * lists `first … first+n-1` of a shared {@link IdLists}, each with a share of pages. A new page enters
 * the lowest segment with room (or segment 0); a hit moves it up one (in the top one, to its head, or
 * nowhere when `topIsFifo`); a segment over its share passes its least recent page down one, and
 * segment 0 passes it out, to `out` (the page leaves the cache, on a hit).
 */
export class SegmentedLru {
  private readonly shares: Int32Array;

  /**
   * @param lists - where the segments live
   * @param first - the list of segment 0
   * @param segments - how many
   * @param out - told of each page a cascade pushes out of segment 0
   * @param topIsFifo - a hit in the top segment changes nothing (SFIFO)
   */
  constructor(
    private readonly lists: IdLists,
    private readonly first: number,
    segments: number,
    private readonly out: (gfn: number) => void,
    private readonly topIsFifo = false,
  ) {
    this.shares = new Int32Array(segments);
  }

  /** Sets each segment's share: `weights[s] / sum × pages`, rounded down as libCacheSim's seg-size does. */
  setShares(pages: number, weights: readonly number[]): void {
    const sum = weights.reduce((a, b) => a + b, 0);
    for (let s = 0; s < this.shares.length; s++) this.shares[s] = Math.floor((weights[s]! / sum) * pages);
  }

  /** Sets every segment's share to `pages / segments`, rounded down (libCacheSim's default). */
  setEqualShares(pages: number): void {
    this.shares.fill(Math.floor(pages / this.shares.length));
  }

  /** Whether `gfn` is in a segment. */
  holds(gfn: number): boolean {
    const list = this.lists.listOf[gfn]!;
    return list >= this.first && list < this.first + this.shares.length;
  }

  /** Pages in all segments. */
  size(): number {
    let total = 0;
    for (let s = 0; s < this.shares.length; s++) total += this.lists.size(this.first + s);
    return total;
  }

  /** A hit on `gfn` (in a segment). */
  touch(gfn: number): void {
    const { lists } = this;
    const top = this.first + this.shares.length - 1;
    const list = lists.listOf[gfn]!;
    if (list === top) {
      if (!this.topIsFifo) lists.moveToHead(top, gfn);
      return;
    }
    lists.moveToHead(list + 1, gfn);
    this.cool(list + 1 - this.first);
  }

  /** A new page (in no list): into the lowest segment with room, or segment 0. */
  insert(gfn: number): void {
    const { lists } = this;
    let s = 0;
    while (s < this.shares.length && lists.size(this.first + s) + 1 > this.shares[s]!) s++;
    lists.pushHead(this.first + (s === this.shares.length ? 0 : s), gfn);
  }

  /** The victim: the least recent page of the lowest segment that holds any, or -1. */
  victim(): number {
    for (let s = 0; s < this.shares.length; s++) if (this.lists.size(this.first + s) > 0) return this.lists.tail(this.first + s);
    return -1;
  }

  /** Removes and returns {@link SegmentedLru.victim}. */
  evict(): number {
    const gfn = this.victim();
    if (gfn >= 0) this.lists.remove(gfn);
    return gfn;
  }

  /** While segment `s` is over its share, its least recent page goes down one (out, from segment 0). */
  private cool(s: number): void {
    const { lists } = this;
    const list = this.first + s;
    while (lists.size(list) > this.shares[s]!) {
      if (s === 0) {
        this.out(lists.popTail(list));
        continue;
      }
      lists.moveToHead(list - 1, lists.tail(list));
      this.cool(s - 1);
    }
  }
}
