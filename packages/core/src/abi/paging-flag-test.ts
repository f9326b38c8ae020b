import type { PagingAbi } from './paging-abi.js';
import type { PagingMessage, VmEventMessage } from './paging-message.js';

/**
 * The test for one paging flag of an ABI (`DROP_PAGE`, `EVICT_FAIL`), made once and used per message:
 * mem_event keeps paging flags in `flags`, under each age's bits (Xen 4.0 used bits 1 and 2 for
 * DOM_PAUSED and OUT_OF_MEM), and vm_event in `u.mem_paging.flags` (`pagingFlags`). Both ends (the Xen
 * backend and the simulated Xen) read DROP_PAGE through this one test.
 *
 * @param abi - the ABI the message is decoded in
 * @param name - the flag's name without prefix, as in `flagNames` / `pagingFlagNames`
 * @returns a test that is false for every message when the ABI has no such flag
 *
 * @example
 * ```ts
 * const isDrop = pagingFlagTest(VM_EVENT_V7, 'DROP_PAGE');
 * if (isDrop(message)) console.log(`gfn ${message.gfn} was ballooned out`);
 * ```
 */
export function pagingFlagTest(abi: PagingAbi, name: string): (message: PagingMessage) => boolean {
  if (abi.family === 'vm_event') {
    const bit = abi.pagingFlagNames[name] ?? 0;
    return (message) => ((message as VmEventMessage).pagingFlags & bit) !== 0;
  }
  const bit = abi.flagNames[name] ?? 0;
  return (message) => (message.flags & bit) !== 0;
}
