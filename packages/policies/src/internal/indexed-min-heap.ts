/**
 * A binary min-heap over ids `[0, n)`, each in it at most once, ordered by a key and then by a tie
 * (the smaller first on both), with its position per id so that any id's key can change or the id
 * leave in O(log n). Typed arrays only: 24 bytes per id.
 */
export class IndexedMinHeap {
  private readonly key: Float64Array;
  private readonly tie: Float64Array;
  private readonly heap: Int32Array;
  private readonly position: Int32Array;
  private count = 0;

  constructor(ids: number) {
    this.key = new Float64Array(ids);
    this.tie = new Float64Array(ids);
    this.heap = new Int32Array(ids);
    this.position = new Int32Array(ids).fill(-1);
  }

  /** Bytes per id. */
  static readonly BYTES_PER_ID = 24;

  get size(): number {
    return this.count;
  }

  has(id: number): boolean {
    return this.position[id]! >= 0;
  }

  /** The key `id` was last given. */
  keyOf(id: number): number {
    return this.key[id]!;
  }

  /** Puts `id` in with `key` and `tie`, or moves it there if it is in. */
  set(id: number, key: number, tie: number): void {
    this.key[id] = key;
    this.tie[id] = tie;
    let at = this.position[id]!;
    if (at < 0) {
      at = this.count++;
      this.heap[at] = id;
      this.position[id] = at;
    }
    this.siftUp(at);
    this.siftDown(this.position[id]!);
  }

  /** The id of the least key, or -1. */
  peek(): number {
    return this.count === 0 ? -1 : this.heap[0]!;
  }

  /** Removes and returns the id of the least key, or -1. */
  pop(): number {
    if (this.count === 0) return -1;
    const top = this.heap[0]!;
    this.removeAt(0);
    return top;
  }

  /** Takes `id` out (if it is in). */
  remove(id: number): void {
    const at = this.position[id]!;
    if (at >= 0) this.removeAt(at);
  }

  private removeAt(at: number): void {
    const gone = this.heap[at]!;
    this.position[gone] = -1;
    const last = this.heap[--this.count]!;
    if (at === this.count) return;
    this.heap[at] = last;
    this.position[last] = at;
    this.siftUp(at);
    this.siftDown(this.position[last]!);
  }

  // The comparisons are written out (key, then tie) rather than called: this is the simulation's hot path.
  private siftUp(at: number): void {
    const { heap, position, key, tie } = this;
    const id = heap[at]!;
    const k = key[id]!;
    const t = tie[id]!;
    while (at > 0) {
      const parent = (at - 1) >> 1;
      const p = heap[parent]!;
      if (!(k < key[p]! || (k === key[p] && t < tie[p]!))) break;
      heap[at] = p;
      position[p] = at;
      at = parent;
    }
    heap[at] = id;
    position[id] = at;
  }

  private siftDown(at: number): void {
    const { heap, position, key, tie, count } = this;
    const id = heap[at]!;
    const k = key[id]!;
    const t = tie[id]!;
    for (;;) {
      let child = 2 * at + 1;
      if (child >= count) break;
      let c = heap[child]!;
      if (child + 1 < count) {
        const r = heap[child + 1]!;
        if (key[r]! < key[c]! || (key[r] === key[c] && tie[r]! < tie[c]!)) {
          child++;
          c = r;
        }
      }
      if (!(key[c]! < k || (key[c] === k && tie[c]! < t))) break;
      heap[at] = c;
      position[c] = at;
      at = child;
    }
    heap[at] = id;
    position[id] = at;
  }
}
