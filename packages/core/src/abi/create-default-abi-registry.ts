import { createVmEventVersionAdapter } from './abi-adapter.js';
import { AbiRegistry } from './abi-registry.js';
import { BUILTIN_ABIS } from './builtin-abis.js';
import type { PagingAbi } from './paging-abi.js';
import type { VmEventMessage } from './paging-message.js';

/**
 * A registry of every built-in ABI ({@link BUILTIN_ABIS}) and an adapter for every ordered pair of
 * distinct vm_event versions.
 *
 * @remarks
 * Each call returns a new registry, so registering a custom ABI in one never affects another.
 *
 * @example
 * ```ts
 * import { createDefaultAbiRegistry } from '@pagevisor/core';
 *
 * const registry = createDefaultAbiRegistry();
 * registry.list().length; // 11
 * ```
 */
export function createDefaultAbiRegistry(): AbiRegistry {
  const vmEvent = BUILTIN_ABIS.filter((abi) => abi.family === 'vm_event') as PagingAbi<VmEventMessage>[];
  const adapters = vmEvent.flatMap((pager) =>
    vmEvent.filter((wire) => wire !== pager).map((wire) => createVmEventVersionAdapter(pager, wire)),
  );
  return new AbiRegistry(BUILTIN_ABIS, adapters);
}
