import { isPagevisorError, type PageStore } from '@pagevisor/core';
import { PAGE_BYTES } from '../sim/sim-constants.js';

/**
 * Reads `count` pages of `gfns` from `store` into `into` (4096 bytes each, in order) as one batch. A
 * batch that fails on one page's record (`STORE_MISSING`, `STORE_CORRUPT`: the store names the first
 * such page and reads no more) is read again page by page, so that the others still come.
 *
 * @returns undefined when every page was read; otherwise each entry's error, undefined where it was read
 * @throws whatever else the store throws for the batch (`STORE_IO`, `STORE_CLOSED`)
 */
export async function readPagesOrEach(store: PageStore, gfns: Uint32Array, count: number, into: Uint8Array): Promise<unknown[] | undefined> {
  try {
    await store.readBatch(gfns, count, into);
    return undefined;
  } catch (error) {
    if (!isPagevisorError(error, 'STORE_MISSING') && !isPagevisorError(error, 'STORE_CORRUPT')) throw error;
  }
  const errors: unknown[] = new Array(count).fill(undefined);
  for (let i = 0; i < count; i++) {
    try {
      await store.readBatch(gfns.subarray(i, i + 1), 1, into.subarray(i * PAGE_BYTES, (i + 1) * PAGE_BYTES));
    } catch (error) {
      errors[i] = error;
    }
  }
  return errors;
}
