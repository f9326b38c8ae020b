/** CRC32C (Castagnoli, reflected polynomial 0x82F63B78) lookup tables for slicing-by-8. */
const TABLES: Uint32Array[] = (() => {
  const tables = Array.from({ length: 8 }, () => new Uint32Array(256));
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
    tables[0]![n] = c >>> 0;
  }
  for (let n = 0; n < 256; n++) {
    let c = tables[0]![n]!;
    for (let t = 1; t < 8; t++) {
      c = tables[0]![c & 0xff]! ^ (c >>> 8);
      tables[t]![n] = c >>> 0;
    }
  }
  return tables;
})();

const LITTLE_ENDIAN = new Uint8Array(Uint32Array.of(1).buffer)[0] === 1;

/**
 * CRC32C of `bytes` (iSCSI, ext4 and Btrfs use it; `crc32c("123456789") = 0xe3069283`).
 *
 * @param previous - the CRC of the bytes before these, to checksum data in pieces:
 * `crc32c(b, crc32c(a))` equals the CRC of `a` followed by `b`
 *
 * @example
 * ```ts
 * crc32c(new TextEncoder().encode('123456789')); // 0xe3069283
 * ```
 */
export function crc32c(bytes: Uint8Array, previous = 0): number {
  const [t0, t1, t2, t3, t4, t5, t6, t7] = TABLES as [Uint32Array, Uint32Array, Uint32Array, Uint32Array, Uint32Array, Uint32Array, Uint32Array, Uint32Array];
  let crc = (previous ^ 0xffffffff) >>> 0;
  let i = 0;
  const n = bytes.length;
  if (LITTLE_ENDIAN) {
    // Up to a 4-byte boundary byte by byte, then 8 bytes per step read as two 32-bit words.
    while (i < n && ((bytes.byteOffset + i) & 3) !== 0) crc = t0[(crc ^ bytes[i++]!) & 0xff]! ^ (crc >>> 8);
    const pairs = (n - i) >>> 3;
    if (pairs > 0) {
      const words = new Int32Array(bytes.buffer, bytes.byteOffset + i, pairs * 2);
      for (let w = 0; w < words.length; w += 2) {
        const a = crc ^ words[w]!;
        const b = words[w + 1]!;
        crc = t7[a & 0xff]! ^ t6[(a >>> 8) & 0xff]! ^ t5[(a >>> 16) & 0xff]! ^ t4[a >>> 24]! ^ t3[b & 0xff]! ^ t2[(b >>> 8) & 0xff]! ^ t1[(b >>> 16) & 0xff]! ^ t0[b >>> 24]!;
      }
      i += pairs * 8;
    }
  }
  for (; i < n; i++) crc = t0[(crc ^ bytes[i]!) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}
