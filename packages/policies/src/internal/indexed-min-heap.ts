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

  private less(a: number, b: number): boolean {
    const ka = this.key[a]!;
    const kb = this.key[b]!;
    return ka < kb || (ka === kb && this.tie[a]! < this.tie[b]!);
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

  private siftUp(at: number): void {
    const { heap, position } = this;
    const id = heap[at]!;
    while (at > 0) {
      const parent = (at - 1) >> 1;
      if (!this.less(id, heap[parent]!)) break;
      heap[at] = heap[parent]!;
      position[heap[at]!] = at;
      at = parent;
    }
    heap[at] = id;
    position[id] = at;
  }

  private siftDown(at: number): void {
    const { heap, position, count } = this;
    const id = heap[at]!;
    for (;;) {
      let child = 2 * at + 1;
      if (child >= count) break;
      if (child + 1 < count && this.less(heap[child + 1]!, heap[child]!)) child++;
      if (!this.less(heap[child]!, id)) break;
      heap[at] = heap[child]!;
      position[heap[at]!] = at;
      at = child;
    }
    heap[at] = id;
    position[id] = at;
  }
}
