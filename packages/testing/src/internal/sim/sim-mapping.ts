import type { ForeignMapping } from '@pagevisor/core';

/** A foreign or grant mapping as the simulator keeps it: the port's mapping, and whether it is still mapped. */
export interface SimMapping extends ForeignMapping {
  /** Whether it is still mapped. */
  live: boolean;
}
