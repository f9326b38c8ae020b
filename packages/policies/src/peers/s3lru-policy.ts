import type { PolicyContext } from '@pagevisor/core';
import { IdLists } from '../internal/id-lists.js';
import { TrackedPolicy } from '../classic/tracked-policy.js';

const SMALL = 1;
const MAIN = 2;
const GHOST = 3;

/**
 * S3-LRU: S3-FIFO's shape with an LRU main queue and eager promotion. New pages enter a small FIFO
 * (10% of the cache); a hit there moves the page at once to the head of main, an LRU of the rest;
 * pages small pushes out are remembered in a ghost of ids (90% of the cache), and a miss on one brings
 * it straight into main. Main gives up its least recent page when it is over its share or small is
 * empty; otherwise small's oldest page goes. libCacheSim's `S3LRU` with its defaults,
 * `S3LRU-FIFO-lru-1-0.1000-1` (libCacheSim/cache/eviction/other/S3LRU.c), matched exactly.
 *
 * @example
 * ```ts
 * simulateTrace(ids, distinct, (ctx) => new S3LruPolicy(ctx), 1000).misses;
 * ```
 */
export class S3LruPolicy extends TrackedPolicy {
  readonly name = 's3lru';
  readonly bytesPerPage = TrackedPolicy.BASE_BYTES + IdLists.BYTES_PER_ID;
  private readonly lists: IdLists;
  private mainSize = 0;
  private ghostSize = 0;
  private ghostHit = false;

  constructor(context: PolicyContext) {
    super(context);
    this.lists = new IdLists(context.maxPages, 3);
    this.setCapacity(context.maxPages);
  }

  override setCapacity(pages: number): void {
    super.setCapacity(pages);
    this.mainSize = pages - Math.floor(pages * 0.1);
    this.ghostSize = Math.floor(pages * 0.9);
  }

  protected touch(gfn: number): void {
    this.lists.moveToHead(MAIN, gfn);
  }

  protected override onMiss(gfn: number): void {
    this.ghostHit = this.lists.take(GHOST, gfn);
  }

  protected admit(gfn: number): void {
    this.lists.remove(gfn); // a victim whose nomination failed comes back from the ghost
    this.lists.pushHead(this.ghostHit ? MAIN : SMALL, gfn);
    this.ghostHit = false;
  }

  protected evict(): number {
    const { lists } = this;
    if (lists.size(MAIN) > this.mainSize || lists.size(SMALL) === 0) return lists.popTail(MAIN);
    const gfn = lists.popTail(SMALL);
    lists.pushBounded(GHOST, gfn, this.ghostSize);
    return gfn;
  }

  protected forget(gfn: number): void {
    this.lists.remove(gfn);
  }
}
