import type { PolicyContext, VictimPolicy } from '@pagevisor/core';
import { ShadowCache } from '@pagevisor/policies';

/** A trace-simulation context of `pages` pages. */
export const simulationContext = (pages: number): PolicyContext => ({ maxPages: pages, neverEvict: new Uint8Array(pages), seed: 1, startsEmpty: true });

/**
 * A cache of 100 pages sees 50 pages three times, then a scan of 4000 pages seen once: returns how many
 * of the 50 it still holds (a scan-resistant policy keeps them all).
 */
export function pagesSeenTwiceAfterAScan(make: (context: PolicyContext) => VictimPolicy): number {
  const cache = new ShadowCache(make(simulationContext(10_000)), 10_000);
  cache.setCapacity(100);
  let time = 0;
  for (let round = 0; round < 3; round++) for (let page = 0; page < 50; page++) cache.request(page, time++);
  for (let page = 1000; page < 5000; page++) cache.request(page, time++);
  let kept = 0;
  for (let page = 0; page < 50; page++) kept += cache.resident[page]!;
  return kept;
}
