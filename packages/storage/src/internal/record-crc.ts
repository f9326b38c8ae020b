import { crc32c } from '../crc32c.js';

/** CRC32C of a record, bound to its gfn so a record under the wrong key is caught too. */
export function recordCrc(gfn: number, data: Uint8Array): number {
  const key = new Uint8Array(4);
  new DataView(key.buffer).setUint32(0, gfn, true);
  return crc32c(data, crc32c(key));
}
