import type { AbiRegistry } from '../abi/abi-registry.js';
import { BUILTIN_ABIS } from '../abi/builtin-abis.js';
import { ConfigError } from '../errors/config-error.js';

/**
 * The ABIs a Xen pager offers, most preferred first: the ones named (one id or a list), or every
 * built-in ABI newest first; each must be in the registry.
 *
 * @param abi - `createPager`'s `abi` option
 * @param registry - the ABIs known
 * @returns the ids, most preferred first
 * @throws {@link ConfigError} `abi` for an empty list or an id the registry does not know
 * @internal
 */
export function xenAbiPreference(abi: string | readonly string[] | undefined, registry: AbiRegistry): readonly string[] {
  const ids = abi === undefined ? [...BUILTIN_ABIS].reverse().map((a) => a.id) : typeof abi === 'string' ? [abi] : [...abi];
  if (ids.length === 0) throw new ConfigError('abi', 'abi: the pager must speak at least one paging ABI');
  for (const id of ids) {
    try {
      registry.get(id);
    } catch (error) {
      throw new ConfigError('abi', `abi: ${(error as Error).message}`, { cause: error });
    }
  }
  return ids;
}
