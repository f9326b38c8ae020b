import { describe, expect, it } from 'vitest';
import { crc32c } from '../src/crc32c.js';

describe('crc32c', () => {
  it('matches the standard check values', () => {
    expect(crc32c(new TextEncoder().encode('123456789'))).toBe(0xe3069283);
    expect(crc32c(new Uint8Array(0))).toBe(0);
    expect(crc32c(new Uint8Array(32))).toBe(0x8a9136aa); // 32 zero bytes (RFC 3720 B.4)
    expect(crc32c(new Uint8Array(32).fill(0xff))).toBe(0x62a8ab43);
  });
});

describe('crc32c continuation', () => {
  it('checksums data in pieces as if it were one buffer', () => {
    const bytes = new TextEncoder().encode('the quick brown fox jumps over the lazy dog');
    for (const cut of [0, 1, 7, 8, 9, 20, bytes.length]) {
      expect(crc32c(bytes.subarray(cut), crc32c(bytes.subarray(0, cut)))).toBe(crc32c(bytes));
    }
  });
});
