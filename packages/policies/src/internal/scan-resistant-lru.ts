import { IdLists } from './id-lists.js';

/** SR-LRU's lists: R (pages hit again), SR (new pages) and H, the history of ids that left. */
const R = 1;
const SR = 2;
const H = 3;

/**
 * SR-LRU's structure as libCacheSim builds it (libCacheSim/cache/eviction/SR_LRU.c), for the policies
 * that use it (`sr-lru`, and `cacheus` as an expert): two LRU halves of the cache, SR for new pages
 * and R for pages hit again or brought back from the history H (as large as the cache, in ids); a
 * page hit in SR moves to R, R's least recent pages go back to SR when R is over its half, and pages
 * leave the cache from SR's tail into H. The halves never resize (libCacheSim's resizing is dead code;
 * see SrLruPolicy).
 */
export class ScanResistantLru {
  private readonly lists: IdLists;
  private half = 1;
  private historySize = 1;

  /**
   * @param pages - page ids are `[0, pages)`
   * @param out - told of each page an insert pushes out of SR (already in H): it leaves the cache
   */
  constructor(
    pages: number,
    private readonly out: (gfn: number) => void,
  ) {
    this.lists = new IdLists(pages, 3);
  }

  /** Bytes per page. */
  static readonly BYTES_PER_PAGE = IdLists.BYTES_PER_ID;

  /** Each half is `pages / 2` (at least 1), H holds `pages` ids. */
  setCapacity(pages: number): void {
    this.half = Math.max(1, Math.floor(pages / 2));
    this.historySize = Math.max(1, pages);
  }

  /** A hit: a page in SR moves to R (R's overflow going back to SR), one in R to R's head. */
  touch(gfn: number): void {
    const { lists } = this;
    const inR = lists.listOf[gfn] === R;
    lists.moveToHead(R, gfn);
    if (!inR) this.demoteOverflow(0);
  }

  /** Whether H remembers `gfn`. */
  inHistory(gfn: number): boolean {
    return this.lists.listOf[gfn] === H;
  }

  /**
   * `SR_LRU_insert`: a page H remembers goes to R (after R made room), any other to SR; then SR's
   * overflow leaves the cache, into H, each page told to `out`.
   */
  insert(gfn: number): void {
    const { lists } = this;
    const remembered = lists.listOf[gfn] === H;
    lists.remove(gfn); // from H, or a victim whose nomination failed (live)
    if (remembered) {
      this.demoteOverflow(1);
      lists.pushHead(R, gfn);
    } else {
      lists.pushHead(SR, gfn);
    }
    while (lists.size(SR) > this.half) {
      const leaving = lists.tail(SR);
      lists.moveToHead(H, leaving);
      this.out(leaving);
    }
    this.trimHistory();
  }

  /** The page that leaves next: SR's least recent, or R's when SR is empty; -1 when both are. */
  victim(): number {
    const { lists } = this;
    return lists.size(SR) > 0 ? lists.tail(SR) : lists.tail(R);
  }

  /** A resident page leaves the cache, into H. */
  retire(gfn: number): void {
    this.lists.moveToHead(H, gfn);
    this.trimHistory();
  }

  /** Forgets `gfn` wherever it is. */
  forget(gfn: number): void {
    this.lists.remove(gfn);
  }

  /** While R (with room for `room` more) is over its half, its least recent page goes back to SR. */
  private demoteOverflow(room: number): void {
    const { lists } = this;
    while (lists.size(R) > 0 && lists.size(R) + room > this.half) lists.moveToHead(SR, lists.tail(R));
  }

  private trimHistory(): void {
    const { lists } = this;
    while (lists.size(H) > 0 && lists.size(H) >= this.historySize) lists.popTail(H);
  }
}
