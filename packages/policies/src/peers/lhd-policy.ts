import type { PolicyContext } from '@pagevisor/core';
import { TrackedPolicy } from '../classic/tracked-policy.js';
import { MmixLcg } from '../internal/mmix-lcg.js';

/** Ages are counted up to here (coarsened); a page this old ranks below every other. */
const MAX_AGE = 20_000;
/** Classes by the sum of a page's last two hit ages, in powers of two. */
const CLASSES = 16;
/** libCacheSim's class ids are `app · 16 + hit-age class` with the one app id 1: its initial densities depend on that offset. */
const CLASS_ID_BASE = 16;
/** Requests between two refits of the hit densities. */
const REQUESTS_PER_RECONFIGURATION = 1 << 20;
const EWMA_DECAY = Math.fround(0.9);
/** Resident pages drawn per eviction: 8 for the first 50 refits, 32 after. */
const EARLY_CANDIDATES = 8;
const LATE_CANDIDATES = 32;
/** The newest admissions that ranked below the typical victim, always candidates too. */
const ADMISSIONS = 8;
/** An admission becomes an explorer (never the victim) with probability 1/32, within 1% of the cache. */
const EXPLORE_ONE_IN = 32;
const EXPLORER_BUDGET_FRACTION = Math.fround(0.01);
const AGE_COARSENING_ERROR = Math.fround(0.01);
/** `std::numeric_limits<float>::lowest()`: the rank of a page past the oldest age. */
const LOWEST_RANK = -3.4028234663852886e38;

/**
 * LHD, least hit density (Beckmann, Chen and Cidon, "LHD: Improving Cache Hit Rate by Maximizing Hit
 * Density", NSDI 2018): a page's rank is the hits it can expect over the space-time it will take,
 * learned per class of pages (here the sum of its last two hit ages) as a distribution over ages; the
 * victim is the page of lowest rank among a few drawn at random from the resident ones and the newest
 * admissions that ranked low.
 *
 * @remarks
 * Follows libCacheSim's `LHD` (libCacheSim/cache/eviction/LHD/lhd.cpp, the paper's authors' simulator
 * adapted), with its constants and its departures from the paper:
 * - the densities are refitted only every 2^20 requests; before the first refit they are the initial
 *   guess `(class id + 1) / (age + 1)`, so on a shorter trace LHD ranks by that guess alone;
 * - ages are coarsened by 2^10 requests until the 6th and the 26th refits set the shift from the
 *   number of resident pages;
 * - 8 pages are drawn per eviction until the 50th refit, 32 after; 1 in 32 admissions becomes an
 *   explorer (ranked one higher, so kept) within 1% of the cache, until the 50th refit.
 *
 * Its draws come from libCacheSim's own generator (Knuth's MMIX LCG, in `internal/mmix-lcg.ts`), seeded from the
 * context's seed where libCacheSim seeds it from `rand()`: runs match libCacheSim's in distribution.
 * Pages are of one size, so a density is a hit rate per page.
 *
 * @example
 * ```ts
 * simulateTrace(ids, distinct, (ctx) => new LhdPolicy(ctx), 1000).misses;
 * ```
 */
export class LhdPolicy extends TrackedPolicy {
  readonly name = 'lhd';
  readonly bytesPerPage: number;
  /** Per gfn: its index in the resident arrays below, or -1. */
  private readonly slot: Int32Array;
  /** Resident pages, dense (a removed page's place takes the last one): gfn, last update, last two hit ages, explorer. */
  private readonly gfnAt: Int32Array;
  private readonly updatedAt: Float64Array;
  private readonly lastHitAge: Uint16Array;
  private readonly lastLastHitAge: Uint16Array;
  /** The page's class, kept with its hit ages (the class depends on them alone). */
  private readonly classAt: Uint8Array;
  private readonly explorer: Uint8Array;
  private count = 0;
  /** Per class and age: hits and evictions seen (decayed at each refit), and the fitted density. */
  private readonly hits: Float32Array;
  private readonly evictions: Float32Array;
  private readonly densities: Float32Array;
  private readonly random: MmixLcg;
  private readonly recentlyAdmitted = new Int32Array(ADMISSIONS).fill(-1);
  private recentHead = 0;
  private ewmaVictimRank = 0;
  private explorerBudget = 0;
  private budgetOfCapacity = 0;
  private now = 0;
  private untilReconfiguration = REQUESTS_PER_RECONFIGURATION;
  private reconfigurations = 0;
  private ageShift = 10;
  private ewmaResident = 0;
  private ewmaResidentMass = 0;

  constructor(context: PolicyContext) {
    super(context);
    const pages = context.maxPages;
    this.slot = new Int32Array(pages).fill(-1);
    this.gfnAt = new Int32Array(pages);
    this.updatedAt = new Float64Array(pages);
    this.lastHitAge = new Uint16Array(pages);
    this.lastLastHitAge = new Uint16Array(pages);
    this.classAt = new Uint8Array(pages);
    this.explorer = new Uint8Array(pages);
    this.hits = new Float32Array(CLASSES * MAX_AGE);
    this.evictions = new Float32Array(CLASSES * MAX_AGE);
    this.densities = new Float32Array(CLASSES * MAX_AGE);
    this.densities.set(initialDensities());
    this.random = new MmixLcg(context.seed);
    // Per page, plus the three class tables (3.8 MB whatever the size) spread over the pages.
    const tableBytes = 3 * CLASSES * MAX_AGE * 4;
    this.bytesPerPage = TrackedPolicy.BASE_BYTES + 4 + 4 + 8 + 2 + 2 + 1 + 1 + Math.ceil(tableBytes / pages);
    this.setCapacity(pages);
  }

  /** The explorers' budget is 1% of the cache (libCacheSim computes it once, from the size it starts with). */
  override setCapacity(pages: number): void {
    super.setCapacity(pages);
    const budget = Math.floor(Math.fround(Math.fround(pages) * EXPLORER_BUDGET_FRACTION));
    this.explorerBudget += budget - this.budgetOfCapacity;
    this.budgetOfCapacity = budget;
  }

  protected touch(gfn: number): void {
    const i = this.slot[gfn]!;
    const age = this.ageOf(i);
    this.hits[this.classAt[i]! * MAX_AGE + age]! += 1;
    if (this.explorer[i] === 1) this.explorerBudget++;
    this.lastLastHitAge[i] = this.lastHitAge[i]!;
    this.lastHitAge[i] = age;
    this.classAt[i] = hitAgeClass(age + this.lastLastHitAge[i]!);
    this.updated(i, false);
  }

  protected admit(gfn: number): void {
    const i = this.count++;
    this.slot[gfn] = i;
    this.gfnAt[i] = gfn;
    this.lastLastHitAge[i] = MAX_AGE;
    this.lastHitAge[i] = 0;
    this.classAt[i] = hitAgeClass(MAX_AGE);
    this.updated(i, true);
  }

  protected evict(): number {
    if (this.count === 0) return -1;
    let victim = -1;
    let victimRank = Infinity;
    const candidates = this.reconfigurations > 50 ? LATE_CANDIDATES : EARLY_CANDIDATES;
    for (let k = 0; k < candidates; k++) {
      const i = this.random.nextBelow(this.count);
      const rank = this.rankOf(i);
      if (rank < victimRank) {
        victim = i;
        victimRank = rank;
      }
    }
    for (let k = 0; k < ADMISSIONS; k++) {
      const gfn = this.recentlyAdmitted[k]!;
      if (gfn < 0 || this.slot[gfn]! < 0) continue;
      const i = this.slot[gfn]!;
      const rank = this.rankOf(i);
      if (rank < victimRank) {
        victim = i;
        victimRank = rank;
      }
    }
    this.ewmaVictimRank = Math.fround(EWMA_DECAY * this.ewmaVictimRank + Math.fround(1 - EWMA_DECAY) * victimRank);
    const gfn = this.gfnAt[victim]!;
    this.evictions[this.classAt[victim]! * MAX_AGE + this.ageOf(victim)]! += 1;
    this.remove(victim);
    return gfn;
  }

  protected forget(gfn: number): void {
    const i = this.slot[gfn]!;
    if (i >= 0) this.remove(i);
  }

  /** LHD's `update` after a hit or an insert: stamps the page, draws whether it explores, counts toward a refit. */
  private updated(i: number, inserted: boolean): void {
    this.updatedAt[i] = this.now;
    const explore = this.random.nextBelow(EXPLORE_ONE_IN) === 0;
    if (explore && this.explorerBudget > 0 && this.reconfigurations < 50) {
      this.explorer[i] = 1;
      this.explorerBudget--;
    } else this.explorer[i] = 0;
    if (inserted && !explore && this.rankOf(i) < this.ewmaVictimRank) this.recentlyAdmitted[this.recentHead++ % ADMISSIONS] = this.gfnAt[i]!;
    this.now++;
    if (--this.untilReconfiguration === 0) {
      this.reconfigure();
      this.untilReconfiguration = REQUESTS_PER_RECONFIGURATION;
      this.reconfigurations++;
    }
  }

  private remove(i: number): void {
    if (this.explorer[i] === 1) this.explorerBudget++;
    this.slot[this.gfnAt[i]!] = -1;
    const last = --this.count;
    if (i !== last) {
      const moved = this.gfnAt[last]!;
      this.gfnAt[i] = moved;
      this.updatedAt[i] = this.updatedAt[last]!;
      this.lastHitAge[i] = this.lastHitAge[last]!;
      this.lastLastHitAge[i] = this.lastLastHitAge[last]!;
      this.classAt[i] = this.classAt[last]!;
      this.explorer[i] = this.explorer[last]!;
      this.slot[moved] = i;
    }
  }

  /** The page's age in coarsened units, at most `MAX_AGE - 1`. */
  private ageOf(i: number): number {
    const elapsed = this.now - this.updatedAt[i]!;
    const age = elapsed < 4294967296 ? elapsed >>> this.ageShift : Math.floor(elapsed / 2 ** this.ageShift);
    return age >= MAX_AGE ? MAX_AGE - 1 : age;
  }

  /** The page's hit density (`getHitDensity`): the lowest rank past the oldest age, one more for an explorer. */
  private rankOf(i: number): number {
    const age = this.ageOf(i);
    if (age === MAX_AGE - 1) return LOWEST_RANK;
    const density = this.densities[this.classAt[i]! * MAX_AGE + age]!;
    return this.explorer[i] === 1 ? Math.fround(density + 1) : density;
  }

  /** Every 2^20 requests: decay the counts, maybe change the age coarsening, refit the densities. */
  private reconfigure(): void {
    const { hits, evictions } = this;
    for (let k = 0; k < hits.length; k++) {
      hits[k] = hits[k]! * EWMA_DECAY;
      evictions[k] = evictions[k]! * EWMA_DECAY;
    }
    this.adaptAgeCoarsening();
    this.fitDensities();
  }

  /** LHD's `adaptAgeCoarsening`: at the 6th and 26th refits, a shift that keeps resident pages' ages within range. */
  private adaptAgeCoarsening(): void {
    this.ewmaResident = Math.fround(Math.fround(this.ewmaResident * EWMA_DECAY) + this.count);
    this.ewmaResidentMass = Math.fround(Math.fround(this.ewmaResidentMass * EWMA_DECAY) + 1);
    if (this.reconfigurations !== 5 && this.reconfigurations !== 25) return;
    const optimal = Math.fround(this.ewmaResident / this.ewmaResidentMass) / Math.fround(AGE_COARSENING_ERROR * MAX_AGE);
    let shift = 1;
    while (2 ** shift < optimal) shift++;
    const delta = shift - this.ageShift;
    this.ageShift = shift;
    this.ewmaResident = Math.fround(this.ewmaResident * 8);
    this.ewmaResidentMass = Math.fround(this.ewmaResidentMass * 8);
    for (let c = 0; c < CLASSES; c++) {
      const base = c * MAX_AGE;
      for (const counts of [this.hits, this.evictions]) {
        if (delta < 0) stretch(counts, base, -delta);
        else if (delta > 0) compress(counts, base, delta);
      }
    }
  }

  /** LHD's `modelHitDensity`: per class and age, the hits to come over the lifetime left, summed from the oldest age down. */
  private fitDensities(): void {
    const { hits, evictions, densities } = this;
    for (let c = 0; c < CLASSES; c++) {
      const base = c * MAX_AGE;
      let events = Math.fround(hits[base + MAX_AGE - 1]! + evictions[base + MAX_AGE - 1]!);
      let hitsLeft = hits[base + MAX_AGE - 1]!;
      let lifetime = events;
      for (let age = MAX_AGE - 2; age >= 0; age--) {
        hitsLeft = Math.fround(hitsLeft + hits[base + age]!);
        events = Math.fround(events + Math.fround(hits[base + age]! + evictions[base + age]!));
        lifetime = Math.fround(lifetime + events);
        densities[base + age] = events > 1e-5 ? hitsLeft / lifetime : 0;
      }
    }
  }
}

/** Spreads one class's counts over `2^by` times the ages (the coarsening shift went down by `by`). */
function stretch(counts: Float32Array, base: number, by: number): void {
  for (let age = MAX_AGE >> by; age < MAX_AGE - 1; age++) counts[base + MAX_AGE - 1]! += counts[base + age]!;
  for (let age = MAX_AGE - 2; age >= 0; age--) counts[base + age] = counts[base + (age >> by)]! / 2 ** by;
}

/** Folds one class's counts into `2^-by` of the ages (the coarsening shift went up by `by`). */
function compress(counts: Float32Array, base: number, by: number): void {
  for (let age = 0; age < MAX_AGE >> by; age++) {
    let sum = counts[base + (age << by)]!;
    for (let k = 1; k < 1 << by; k++) sum = Math.fround(sum + counts[base + (age << by) + k]!);
    counts[base + age] = sum;
  }
  for (let age = MAX_AGE >> by; age < MAX_AGE - 1; age++) counts[base + age] = 0;
}

/** A page's class by the sum of its last two hit ages: about `log2(MAX_AGE / age)`, 15 for a sum of 0 (LHD's `hitAgeClass`). */
function hitAgeClass(sum: number): number {
  if (sum === 0) return CLASSES - 1;
  let log = 0;
  for (let age = sum; age < MAX_AGE && log < CLASSES - 1; age *= 2) log++;
  return log;
}

let initial: Float32Array | undefined;

/**
 * LHD's initial guess, `(class id + 1) / (age + 1)`, computed once per process and copied into each
 * policy (computing it per policy leaves a few MB of boxed intermediates for the collector).
 */
function initialDensities(): Float32Array {
  if (initial === undefined) {
    initial = new Float32Array(CLASSES * MAX_AGE);
    for (let c = 0; c < CLASSES; c++) for (let age = 0; age < MAX_AGE; age++) initial[c * MAX_AGE + age] = (CLASS_ID_BASE + c + 1) / (age + 1);
  }
  return initial;
}
