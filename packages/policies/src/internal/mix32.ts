/** MurmurHash3's 32-bit finalizer: a bijection on 32-bit integers that mixes every bit, for hashing page ids. */
export function mix32(x: number): number {
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}
