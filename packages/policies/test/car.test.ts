import { describe, expect, it } from 'vitest';
import { CarPolicy, createPolicy, ShadowCache, simulateTrace } from '@pagevisor/policies';
import { referenceTrace } from './support/reference.js';
import { pagesSeenTwiceAfterAScan, simulationContext as context } from './support/scan-resistance.js';

describe('car (Bansal and Modha, FAST 2004)', () => {
  it('a trace worked by hand from the paper\'s pseudocode: which request misses, and which page each eviction takes', () => {
    // c = 2; a b a c b d a as 0 1 0 2 1 3 0. Worked through Figure 2: a and b enter T1; a's hit sets its
    // bit; c's miss turns T1's hand (a to T2, bit cleared; b to B1); b's miss in B1 grows p to 1 and
    // evicts c (T1 holds 1 >= max(1, 0)); d's miss finds T1 empty, below p, so T2's hand takes a; a's
    // miss in B2 (|B1| = 2, |B2| = 1) brings p back to 0 and evicts d from T1.
    const cache = new ShadowCache(new CarPolicy(context(4)), 4);
    cache.setCapacity(2);
    const seen = [0, 1, 0, 2, 1, 3, 0].map((page, time) => {
      const missed = cache.request(page, time);
      return [missed, cache.evictedCount === 0 ? -1 : cache.evicted[0]] as const;
    });
    expect(seen).toEqual([
      [true, -1],
      [true, -1],
      [false, -1],
      [true, 1],
      [true, 2],
      [true, 0],
      [true, 3],
    ]);
    expect([...cache.resident]).toEqual([1, 1, 0, 0]);
  });

  it('a scan of pages seen once does not push out pages seen twice (scan resistance)', () => {
    expect(pagesSeenTwiceAfterAScan((ctx) => new CarPolicy(ctx))).toBe(50);
  });

  it('on the reference traces its misses are within 5% of ARC\'s and never below Belady\'s (the paper: CAR performs as ARC)', () => {
    for (const [trace, size] of [['lirs-sprite', 708], ['lirs-2_pools', 99], ['cloudPhysicsIO', 5000], ['lirs-cpp', 122], ['addr-gcc', 20]] as const) {
      const { ids, distinct } = referenceTrace(trace);
      const car = simulateTrace(ids, distinct, (ctx) => new CarPolicy(ctx), size).misses;
      const arc = simulateTrace(ids, distinct, (ctx) => createPolicy('arc', ctx), size).misses;
      const belady = simulateTrace(ids, distinct, (ctx) => createPolicy('belady', ctx), size, true).misses;
      expect(car, trace).toBeGreaterThanOrEqual(belady);
      expect(Math.abs(car - arc) / arc, `${trace}: car ${car}, arc ${arc}`).toBeLessThan(0.05);
    }
  });
});
