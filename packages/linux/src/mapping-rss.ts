import { readFileSync } from 'node:fs';
import { LinuxError } from './linux-error.js';

/**
 * The resident bytes of this process's mapping that starts at `address`: its `Rss:` line in
 * `/proc/self/smaps` (kB there).
 *
 * @throws {@link LinuxError} `LINUX_STATE` when no mapping starts there
 */
export function mappingRss(address: number): number {
  const smaps = readFileSync('/proc/self/smaps', 'utf8');
  const start = smaps.indexOf(`\n${address.toString(16)}-`);
  const at = start >= 0 ? start + 1 : smaps.startsWith(`${address.toString(16)}-`) ? 0 : -1;
  if (at < 0) throw new LinuxError('LINUX_STATE', `no mapping starts at 0x${address.toString(16)} in /proc/self/smaps`);
  const rss = /\nRss:\s+(\d+) kB/.exec(smaps.slice(at, at + 4096));
  if (rss === null) throw new LinuxError('LINUX_STATE', `the mapping at 0x${address.toString(16)} has no Rss line in /proc/self/smaps`);
  return Number(rss[1]) * 1024;
}
