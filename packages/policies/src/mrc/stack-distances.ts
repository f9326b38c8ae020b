/**
 * LRU stack distances of a stream of page ids (Mattson et al., "Evaluation Techniques for Storage
 * Hierarchies", IBM Systems Journal 1970): a request's distance is how many distinct pages were
 * requested since the last request to its page, plus one, so it hits in every LRU cache of at least that
 * many pages; a first request never hits. A Fenwick tree over request times, marking each page's last
 * request, counts the distinct pages in between: O(log n) per request, typed arrays only.
 */
export class StackDistances {
  /** Per page: the time of its last request, or 0 for none (times start at 1). */
  private readonly last: Float64Array;
  /** Fenwick tree over times `1 … requests`: 1 where a page's last request is. */
  private readonly tree: Int32Array;
  private time = 0;
  private marked = 0;

  /**
   * @param pages - ids are `[0, pages)`
   * @param requests - how many requests there will be, at most
   */
  constructor(pages: number, requests: number) {
    this.last = new Float64Array(pages);
    this.tree = new Int32Array(requests + 1);
  }

  /** The stack distance of the next request, to `page` (0 for a first request), recording it. */
  next(page: number): number {
    const { tree } = this;
    const t = ++this.time;
    const before = this.last[page]!;
    let distance = 0;
    if (before > 0) {
      // Distinct pages whose last request came after this page's (marks in (before, t)), and this one.
      let upTo = 0;
      for (let i = before; i > 0; i -= i & -i) upTo += tree[i]!;
      distance = this.marked - upTo + 1;
      for (let i = before; i < tree.length; i += i & -i) tree[i]!--;
      this.marked--;
    }
    for (let i = t; i < tree.length; i += i & -i) tree[i]!++;
    this.marked++;
    this.last[page] = t;
    return distance;
  }
}
