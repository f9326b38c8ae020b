import { VICTIM_POLICY, type PagevisorPlugin, type PolicyContext, type VictimPolicy } from '@pagevisor/core';

const IN = 0;
const OUT = 1; // paged out, or chosen and not yet confirmed

/** Options of the sampled-LFU policy. */
export interface SampledLfuOptions {
  /** Resident pages looked at per victim (default 8). */
  readonly samples?: number;
}

/**
 * Sampled LFU, the way Redis approximates it: every page has a small access counter that halves
 * now and then; a victim is the least used of a few randomly sampled resident pages. One byte of
 * counter and one of state per page, O(samples) per victim, no list to maintain.
 */
export function createSampledLfu(context: PolicyContext, options: SampledLfuOptions = {}): VictimPolicy {
  const samples = options.samples ?? 8;
  const { maxPages, neverEvict } = context;
  const uses = new Uint8Array(maxPages);
  const state = new Uint8Array(maxPages); // every gfn of a live guest starts resident
  let random = (context.seed ^ 0x2545f491) >>> 0 || 1;
  let accesses = 0;
  const next = (): number => {
    random ^= random << 13;
    random ^= random >>> 17;
    random ^= random << 5;
    random >>>= 0;
    return random % maxPages;
  };
  return {
    name: 'sampled-lfu',
    bytesPerPage: 2,
    chooseVictims(n, out) {
      let found = 0;
      for (let attempt = 0; found < n && attempt < 4 * n * samples + maxPages; attempt++) {
        let best = -1;
        for (let s = 0; s < samples; s++) {
          const gfn = next();
          if (state[gfn] !== IN || neverEvict[gfn] === 1) continue;
          if (best < 0 || uses[gfn]! < uses[best]!) best = gfn;
        }
        if (best < 0) continue;
        state[best] = OUT;
        out[found++] = best;
      }
      return found;
    },
    notifyPagedOut(gfn) {
      state[gfn] = OUT;
    },
    notifyPagedIn(gfn, recent) {
      state[gfn] = IN;
      if (recent && uses[gfn]! < 255) uses[gfn]!++;
    },
    notifyDropped(gfn) {
      state[gfn] = IN; // back to unknown: nomination refuses it while it is a hole
      uses[gfn] = 0;
    },
    notifyNominationFailed(gfn) {
      state[gfn] = IN;
    },
    notifyAccess(gfn) {
      if (uses[gfn]! < 255) uses[gfn]!++;
      // Ageing: every 64 accesses per page on average, all counters halve.
      if (++accesses >= 64 * maxPages) {
        accesses = 0;
        for (let g = 0; g < maxPages; g++) uses[g]! >>= 1;
      }
    },
  };
}

/** The policy as a plugin for `createPager`. */
export function sampledLfu(options: SampledLfuOptions = {}): PagevisorPlugin {
  return {
    name: 'sampled-lfu',
    register(container, context) {
      container.provide(VICTIM_POLICY, createSampledLfu(context, options));
    },
  };
}
