import { PolicyError, type VictimPolicy } from '@pagevisor/core';

/** Released pages taken from the policy per call. */
const RELEASE_BATCH = 16;

/**
 * A cache run on metadata only: one policy, its resident set and its capacity, driven by libCacheSim's
 * request path (policies.md §3.0). Trace simulation runs one; the adaptive policy runs one per expert
 * on the same requests to count their misses and follow the best one's resident set.
 *
 * @example
 * ```ts
 * const cache = new ShadowCache(createPolicy('lru', { maxPages: 100, neverEvict: new Uint8Array(100), seed: 1, startsEmpty: true }), 100);
 * cache.setCapacity(10);
 * cache.request(7, 0); // true: a miss
 * ```
 */
export class ShadowCache {
  /** 1 for a page this cache holds. */
  readonly resident: Uint8Array;
  /** The pages the last request evicted, `evicted[0 … evictedCount)`. */
  evicted = new Uint32Array(RELEASE_BATCH + 1);
  /** How many pages the last request evicted (more than one only for a policy that lets go on its own). */
  evictedCount = 0;
  private count = 0;
  private capacity = 0;
  private readonly victim = new Uint32Array(1);
  private readonly released = new Uint32Array(RELEASE_BATCH);
  /** Read once: whether the policy lets pages go on its own, and whether it sizes itself. */
  private readonly drains: boolean;
  private readonly sizesItself: boolean;
  private readonly screens: boolean;

  /**
   * @param policy - the policy that picks victims (built with `startsEmpty`)
   * @param pages - page ids are `[0, pages)`
   */
  constructor(
    readonly policy: VictimPolicy,
    pages: number,
  ) {
    this.resident = new Uint8Array(pages);
    this.drains = policy.drainReleased !== undefined;
    this.sizesItself = policy.sizesItself === true;
    this.screens = policy.admits !== undefined;
  }

  /** Sets the cache's size in pages (and tells the policy). */
  setCapacity(pages: number): void {
    this.capacity = pages;
    this.policy.setCapacity?.(pages);
  }

  /**
   * Runs one request at `time`: a hit, or a miss that evicts while the cache is full and then inserts;
   * after either, the pages the policy let go of on its own ({@link VictimPolicy.drainReleased}) leave.
   * Returns whether it missed.
   */
  request(page: number, time: number): boolean {
    this.evictedCount = 0;
    this.policy.notifyAccess(page, time);
    if (this.resident[page] === 1) {
      if (this.drains) this.evictReleased(time);
      return false;
    }
    if (this.capacity === 0) return true;
    const { policy } = this;
    if (this.screens && !policy.admits!(page)) return true;
    // A policy that sizes itself is trusted with its size: libCacheSim's LIRS, for one, keeps a page
    // it pushed out of its queue while hitting it (see LirsPolicy), so it can hold more than its size.
    while (this.count >= this.capacity && !this.sizesItself) {
      if (policy.chooseVictims(1, this.victim) !== 1) throw new PolicyError(policy.name, `${policy.name} chose no victim at request ${time}, with the cache full (${this.capacity} pages)`, undefined, time);
      this.evict(this.victim[0]!, time);
    }
    policy.notifyPagedIn(page, true);
    this.resident[page] = 1;
    this.count++;
    if (this.drains) this.evictReleased(time);
    return true;
  }

  private evictReleased(time: number): void {
    const { policy, released } = this;
    for (let n = policy.drainReleased!(released); n > 0; n = policy.drainReleased!(released)) {
      for (let i = 0; i < n; i++) this.evict(released[i]!, time);
    }
  }

  private evict(victim: number, time: number): void {
    // A victim that is not resident would leave the cache over its size and count hits it never had.
    if (victim >= this.resident.length || this.resident[victim] !== 1) {
      const name = this.policy.name;
      throw new PolicyError(name, `${name} named gfn ${victim} as a victim at request ${time}, which is not resident`, victim, time);
    }
    this.resident[victim] = 0;
    this.policy.notifyPagedOut(victim);
    if (this.evictedCount === this.evicted.length) {
      const grown = new Uint32Array(this.evicted.length * 2);
      grown.set(this.evicted);
      this.evicted = grown;
    }
    this.evicted[this.evictedCount++] = victim;
    this.count--;
  }
}
