const NIL = -1;

/**
 * Pages by hit count, for LFU: buckets of one count each, in a list sorted by count, each holding its
 * pages oldest first (a page goes to the end of its new count's bucket). Every operation is O(1) on
 * typed arrays: three Int32 per page; per bucket (one per page at most, plus one), a Float64 and six
 * Int32. libCacheSim's freq nodes (libCacheSim/cache/eviction/LFU.c), without a hash table.
 */
export class FrequencyBuckets {
  /** Per page: toward the newer end of its bucket, toward the older, and its bucket. */
  private readonly newer: Int32Array;
  private readonly older: Int32Array;
  private readonly bucketOf: Int32Array;
  /** Per bucket: its count, its oldest and newest page, its size, and the buckets of lower and higher counts. */
  private readonly count: Float64Array;
  private readonly oldest: Int32Array;
  private readonly newest: Int32Array;
  private readonly size: Int32Array;
  private readonly lower: Int32Array;
  private readonly higher: Int32Array;
  private readonly freeBuckets: Int32Array;
  private freeCount: number;
  /** The bucket of the lowest count, or -1. */
  private lowest = NIL;

  constructor(pages: number) {
    this.newer = new Int32Array(pages);
    this.older = new Int32Array(pages);
    this.bucketOf = new Int32Array(pages).fill(NIL);
    const buckets = pages + 1;
    this.count = new Float64Array(buckets);
    this.oldest = new Int32Array(buckets);
    this.newest = new Int32Array(buckets);
    this.size = new Int32Array(buckets);
    this.lower = new Int32Array(buckets);
    this.higher = new Int32Array(buckets);
    // Free buckets are taken from the end, so bucket 0 first (a loop: Int32Array.from with a mapping
    // function costs as much per page as a whole short simulation's requests).
    this.freeBuckets = new Int32Array(buckets);
    for (let i = 0; i < buckets; i++) this.freeBuckets[i] = buckets - 1 - i;
    this.freeCount = buckets;
  }

  /** Bytes per page. */
  static readonly BYTES_PER_PAGE = 12 + 32;

  /** Puts `gfn` (in no bucket) at the end of count 1's bucket. */
  add(gfn: number): void {
    const first = this.lowest;
    this.append(first !== NIL && this.count[first] === 1 ? first : this.newBucket(1, NIL), gfn);
  }

  /** Puts `gfn` (in no bucket) at the end of the bucket of `count` (a whole number, at least 1). */
  addAt(gfn: number, count: number): void {
    if (count === 1) {
      this.add(gfn);
      return;
    }
    let after = NIL;
    for (let b = this.lowest; b !== NIL && this.count[b]! <= count; b = this.higher[b]!) after = b;
    this.append(after !== NIL && this.count[after] === count ? after : this.newBucket(count, after), gfn);
  }

  /** The count of `gfn` (in a bucket). */
  countOf(gfn: number): number {
    return this.count[this.bucketOf[gfn]!]!;
  }

  /** One more hit for `gfn`: to the end of the next count's bucket. */
  bump(gfn: number): void {
    const from = this.bucketOf[gfn]!;
    const next = this.higher[from]!;
    const to = next !== NIL && this.count[next] === this.count[from]! + 1 ? next : this.newBucket(this.count[from]! + 1, from);
    this.unlink(gfn);
    this.append(to, gfn);
  }

  /** The page of the lowest count that has had it longest, or -1. */
  oldestOfLowest(): number {
    return this.lowest === NIL ? NIL : this.oldest[this.lowest]!;
  }

  /** The page that reached the lowest count last, or -1. */
  newestOfLowest(): number {
    return this.lowest === NIL ? NIL : this.newest[this.lowest]!;
  }

  /** Takes `gfn` out (if it is in a bucket). */
  remove(gfn: number): void {
    if (this.bucketOf[gfn] !== NIL) this.unlink(gfn);
  }

  /** A bucket of `count`, linked after `after` (-1: first). */
  private newBucket(count: number, after: number): number {
    const b = this.freeBuckets[--this.freeCount]!;
    this.count[b] = count;
    this.oldest[b] = NIL;
    this.newest[b] = NIL;
    this.size[b] = 0;
    const next = after === NIL ? this.lowest : this.higher[after]!;
    this.lower[b] = after;
    this.higher[b] = next;
    if (after === NIL) this.lowest = b;
    else this.higher[after] = b;
    if (next !== NIL) this.lower[next] = b;
    return b;
  }

  private append(b: number, gfn: number): void {
    const last = this.newest[b]!;
    this.older[gfn] = last;
    this.newer[gfn] = NIL;
    if (last !== NIL) this.newer[last] = gfn;
    else this.oldest[b] = gfn;
    this.newest[b] = gfn;
    this.size[b]!++;
    this.bucketOf[gfn] = b;
  }

  /** Takes `gfn` out of its bucket, and frees the bucket if that empties it. */
  private unlink(gfn: number): void {
    const b = this.bucketOf[gfn]!;
    const older = this.older[gfn]!;
    const newer = this.newer[gfn]!;
    if (older !== NIL) this.newer[older] = newer;
    else this.oldest[b] = newer;
    if (newer !== NIL) this.older[newer] = older;
    else this.newest[b] = older;
    this.bucketOf[gfn] = NIL;
    if (--this.size[b]! > 0) return;
    const lower = this.lower[b]!;
    const higher = this.higher[b]!;
    if (lower !== NIL) this.higher[lower] = higher;
    else this.lowest = higher;
    if (higher !== NIL) this.lower[higher] = lower;
    this.freeBuckets[this.freeCount++] = b;
  }
}
