import { ConfigError, VICTIM_POLICY, type PagevisorPlugin, type PolicyContext, type VictimPolicy } from '@pagevisor/core';
import { classicPolicyEntry } from '../classic/policy-registry.js';
import { PEER_POLICY_TABLE } from '../peers/peer-policy-table.js';
import { TrackedPolicy } from '../classic/tracked-policy.js';
import { IdLists } from '../internal/id-lists.js';
import { ShadowCache } from './shadow-cache.js';

/** Pages the real cache holds that the leading expert holds too. */
const AGREE = 1;
/** Pages the real cache holds that the leading expert has evicted: the first to go. */
const DIFFER = 2;

/**
 * Options of the adaptive policy.
 *
 * @example
 * ```ts
 * const policy = new AdaptivePolicy(context, { experts: ['s3fifo', 'arc', 'lru'], window: 16, margin: 0.01 });
 * ```
 */
export interface AdaptiveOptions {
  /** The experts, by name: classic or peer policies that run in simulation (default `s3fifo`, `arc`, `lru`, `clock2`). */
  readonly experts?: readonly string[];
  /** Requests a miss is remembered for, in cache sizes (default 8: misses fade over 8 × capacity requests). */
  readonly window?: number;
  /** How much fewer recent misses another expert needs before it leads (default 0.02: 2%). */
  readonly margin?: number;
}

/**
 * `adaptive`, Pagevisor's own policy: it needs no tuning per workload. It runs several classic policies
 * as experts on metadata alone (each a {@link ShadowCache} of the same size, fed every request), counts
 * their recent misses with exponential decay, and follows the expert with the fewest: on a miss it
 * evicts a page the leading expert no longer holds (the one it dropped first), so its resident set
 * converges to the leader's, and it behaves exactly like the leader once they agree. A different expert
 * takes the lead when its recent misses are lower by a margin, so a trace whose best policy changes
 * over time is followed phase by phase.
 *
 * @remarks
 * Cost: every expert's state (about 10–11 bytes per page each) plus 10 bytes of its own, and every
 * request runs through every expert (see `bench-results/policies.json`).
 *
 * @example
 * ```ts
 * const result = simulateTrace(ids, distinct, (ctx) => new AdaptivePolicy(ctx), 1000);
 * // or in a pager: createPager({ hypervisor, domid, policy: adaptive(), store })
 * ```
 */
export class AdaptivePolicy extends TrackedPolicy {
  readonly name = 'adaptive';
  readonly bytesPerPage: number;
  private readonly experts: ShadowCache[];
  private readonly recentMisses: Float64Array;
  private readonly lists: IdLists;
  private readonly window: number;
  private readonly margin: number;
  private decay = 0;
  private leader = 0;

  constructor(context: PolicyContext, options: AdaptiveOptions = {}) {
    super(context);
    const names = options.experts ?? ['s3fifo', 'arc', 'lru', 'clock2'];
    const expertContext: PolicyContext = { ...context, startsEmpty: true, neverEvict: new Uint8Array(context.maxPages) };
    this.experts = names.map((name) => new ShadowCache(expertPolicy(name, expertContext), context.maxPages));
    this.recentMisses = new Float64Array(this.experts.length);
    this.lists = new IdLists(context.maxPages, 2);
    this.window = options.window ?? 8;
    this.margin = options.margin ?? 0.02;
    // Each expert's state and resident set, their shared (empty) never-evict set, and our own lists.
    this.bytesPerPage = TrackedPolicy.BASE_BYTES + IdLists.BYTES_PER_ID + 1 + this.experts.reduce((sum, e) => sum + e.policy.bytesPerPage + 1, 0);
    this.setCapacity(context.maxPages);
  }

  override setCapacity(pages: number): void {
    super.setCapacity(pages);
    for (const expert of this.experts) expert.setCapacity(pages);
    this.decay = 1 - 1 / Math.max(1, this.window * pages);
  }

  /** The expert followed now. */
  get leaderName(): string {
    return this.experts[this.leader]!.policy.name;
  }

  protected touch(gfn: number, time: number): void {
    this.feed(gfn, time);
    this.lists.moveToHead(this.lists.listOf[gfn]!, gfn);
  }

  protected override onMiss(gfn: number, time: number): void {
    this.feed(gfn, time);
  }

  protected admit(gfn: number): void {
    this.lists.pushHead(this.experts[this.leader]!.resident[gfn] === 1 ? AGREE : DIFFER, gfn);
  }

  protected evict(): number {
    const victim = this.lists.popTail(this.lists.size(DIFFER) > 0 ? DIFFER : AGREE);
    return victim;
  }

  protected forget(gfn: number): void {
    this.lists.remove(gfn);
  }

  /** Runs the request through every expert, moves pages between AGREE and DIFFER, and picks the leader. */
  private feed(gfn: number, time: number): void {
    const { experts, recentMisses, lists } = this;
    for (let k = 0; k < experts.length; k++) {
      const missed = experts[k]!.request(gfn, time);
      recentMisses[k] = recentMisses[k]! * this.decay + (missed ? 1 : 0);
    }
    const leader = experts[this.leader]!;
    for (let i = 0; i < leader.evictedCount; i++) {
      const evicted = leader.evicted[i]!;
      if (lists.listOf[evicted] === AGREE) lists.moveToHead(DIFFER, evicted);
    }
    if (lists.listOf[gfn] === DIFFER) lists.moveToHead(AGREE, gfn);
    let best = this.leader;
    for (let k = 0; k < experts.length; k++) if (recentMisses[k]! < recentMisses[best]!) best = k;
    if (best !== this.leader && recentMisses[best]! < recentMisses[this.leader]! * (1 - this.margin)) this.follow(best);
  }

  /** Makes expert `k` the leader and sorts the resident pages by whether it holds them. */
  private follow(k: number): void {
    this.leader = k;
    const { lists } = this;
    const resident = this.experts[k]!.resident;
    const pages: number[] = [];
    for (const list of [AGREE, DIFFER]) for (let gfn = lists.tail(list); gfn >= 0; gfn = lists.prev[gfn]!) pages.push(gfn);
    for (const gfn of pages) lists.remove(gfn);
    for (const gfn of pages) lists.pushHead(resident[gfn] === 1 ? AGREE : DIFFER, gfn);
  }
}

/**
 * The adaptive policy as a plugin.
 *
 * @example
 * ```ts
 * const pager = createPager({ hypervisor, domid, policy: adaptive(), store });
 * ```
 */
export function adaptive(options: AdaptiveOptions = {}): PagevisorPlugin {
  return {
    name: 'adaptive',
    register(container, context) {
      container.provide(VICTIM_POLICY, new AdaptivePolicy(context, options));
    },
  };
}

/**
 * An expert: a classic or peer policy by name (`belady` cannot be one: it needs the future).
 *
 * @throws {@link @pagevisor/core!ConfigError | ConfigError} for any other name
 */
function expertPolicy(name: string, context: PolicyContext): VictimPolicy {
  const entry = Object.hasOwn(PEER_POLICY_TABLE, name) ? PEER_POLICY_TABLE[name as keyof typeof PEER_POLICY_TABLE] : classicPolicyEntry(name);
  if (entry === undefined || name === 'belady') throw new ConfigError('policy', `adaptive: no expert "${name}" (a classic or peer policy other than belady)`);
  return entry.create(context);
}
