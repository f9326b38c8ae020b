import { createDefaultAbiRegistry, isPagevisorError, type PagingAbi } from '@pagevisor/core';
import { UsageError } from '../usage-error.js';

/**
 * The ABI named by `--abi`.
 *
 * @throws {@link UsageError} when the flag is missing or names no ABI
 */
export function abiById(id: string | boolean | undefined, command: string): PagingAbi {
  if (typeof id !== 'string') throw new UsageError('missing --abi ID (see pagevisor abi list)', command);
  try {
    return createDefaultAbiRegistry().get(id);
  } catch (error) {
    if (isPagevisorError(error, 'ABI_UNKNOWN')) throw new UsageError(`--abi: ${error.message}`, command);
    throw error;
  }
}
