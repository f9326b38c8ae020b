import { readFileSync } from 'node:fs';
import { LinuxError } from '../linux-error.js';
import type { GuestRegionUffdMapping } from './guest-region-mapping.js';

/**
 * Checks that every mapping lies in memory the peer has mapped, from `/proc/<pid>/maps` (a run of
 * adjacent mappings counts): a handshake that announces memory elsewhere is hostile or broken.
 *
 * @throws {@link LinuxError} `LINUX_HANDSHAKE` for a mapping outside the peer's memory, or when its
 * maps cannot be read (the peer has gone)
 */
export function checkPeerMemory(pid: number, mappings: readonly GuestRegionUffdMapping[]): void {
  let maps: string;
  try {
    maps = readFileSync(`/proc/${pid}/maps`, 'utf8');
  } catch (error) {
    throw new LinuxError('LINUX_HANDSHAKE', `refused handshake: the memory map of peer ${pid} cannot be read (${(error as Error).message})`, { cause: error });
  }
  const areas = maps
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line) => line.slice(0, line.indexOf(' ')).split('-').map((hex) => Number.parseInt(hex, 16)) as [number, number]);
  for (const [i, m] of mappings.entries()) {
    let at = m.base_host_virt_addr;
    const end = at + m.size;
    for (const [from, to] of areas) if (from <= at && at < to) at = to;
    if (at < end) throw new LinuxError('LINUX_HANDSHAKE', `refused handshake: mapping ${i} (${m.size} bytes at 0x${m.base_host_virt_addr.toString(16)}) is not memory peer ${pid} has mapped`);
  }
}
