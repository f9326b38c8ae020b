import type { PagerStats } from '@pagevisor/core';

/** The progress line's counts: faults, evictions, pages out. */
export function statsDetail(stats: PagerStats): string {
  return `${stats.faults} faults, ${stats.evictions} evictions, ${stats.pagesOut} pages out`;
}
