const NIL = -1;

/**
 * Up to 255 intrusive doubly linked lists over ids `[0, n)`: each id is in at most one list. Head is
 * the newest end, tail the oldest; `next` points toward the tail, `prev` toward the head. Two Int32
 * links and one list tag per id; no object per entry.
 */
export class IdLists {
  /** Toward the tail (older). */
  readonly next: Int32Array;
  /** Toward the head (newer). */
  readonly prev: Int32Array;
  /** The list an id is in, 0 for none. */
  readonly listOf: Uint8Array;
  private readonly heads: Int32Array;
  private readonly tails: Int32Array;
  private readonly sizes: Int32Array;

  constructor(ids: number, lists: number) {
    this.next = new Int32Array(ids).fill(NIL);
    this.prev = new Int32Array(ids).fill(NIL);
    this.listOf = new Uint8Array(ids);
    this.heads = new Int32Array(lists + 1).fill(NIL);
    this.tails = new Int32Array(lists + 1).fill(NIL);
    this.sizes = new Int32Array(lists + 1);
  }

  /** Bytes per id. */
  static readonly BYTES_PER_ID = 9;

  size(list: number): number {
    return this.sizes[list]!;
  }

  /** The newest id of `list`, or -1. */
  head(list: number): number {
    return this.heads[list]!;
  }

  /** The oldest id of `list`, or -1. */
  tail(list: number): number {
    return this.tails[list]!;
  }

  /** Puts `id` (in no list) at the newest end of `list`. */
  pushHead(list: number, id: number): void {
    const head = this.heads[list]!;
    this.next[id] = head;
    this.prev[id] = NIL;
    if (head !== NIL) this.prev[head] = id;
    else this.tails[list] = id;
    this.heads[list] = id;
    this.listOf[id] = list;
    this.sizes[list]!++;
  }

  /** Takes `id` out of its list (if any). */
  remove(id: number): void {
    const list = this.listOf[id]!;
    if (list === 0) return;
    const next = this.next[id]!;
    const prev = this.prev[id]!;
    if (prev !== NIL) this.next[prev] = next;
    else this.heads[list] = next;
    if (next !== NIL) this.prev[next] = prev;
    else this.tails[list] = prev;
    this.listOf[id] = 0;
    this.sizes[list]!--;
  }

  /** Moves `id` to the newest end of `list`. */
  moveToHead(list: number, id: number): void {
    this.remove(id);
    this.pushHead(list, id);
  }

  /** Takes `id` out of `list` if it is there; returns whether it was (a ghost hit, say). */
  take(list: number, id: number): boolean {
    if (this.listOf[id] !== list) return false;
    this.remove(id);
    return true;
  }

  /**
   * Puts `id` at the newest end of `list` (out of any list it was in), first dropping the oldest ids to
   * keep at most `max`; when `max` is 0 it is only taken out.
   */
  pushBounded(list: number, id: number, max: number): void {
    this.remove(id);
    if (max <= 0) return;
    while (this.sizes[list]! >= max) this.popTail(list);
    this.pushHead(list, id);
  }

  /**
   * CLOCK over `list` (its tail the hand): the oldest id whose count is above 0 goes round again to the
   * head with one less, until the oldest has 0; that one is removed and returned (-1 if the list is empty).
   */
  sweepClock(list: number, counts: Uint8Array): number {
    for (let id = this.tails[list]!; id !== NIL; id = this.tails[list]!) {
      if (counts[id] === 0) return this.popTail(list);
      counts[id]!--;
      this.moveToHead(list, id);
    }
    return NIL;
  }

  /** Removes and returns the oldest id of `list`, or -1. */
  popTail(list: number): number {
    const id = this.tails[list]!;
    if (id !== NIL) this.remove(id);
    return id;
  }
}
