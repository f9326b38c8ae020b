import { UsageError } from './usage-error.js';

/**
 * Parses hex digits into bytes. Accepts an optional `0x` prefix and whitespace between digits.
 *
 * @throws {@link UsageError} naming the first bad character and its position, or an odd digit count
 */
export function parseHex(text: string, what: string, command: string): Uint8Array {
  const body = text.startsWith('0x') || text.startsWith('0X') ? text.slice(2) : text;
  const digits: string[] = [];
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (/\s/.test(c)) continue;
    if (!/[0-9a-fA-F]/.test(c)) {
      const position = i + 1 + (body === text ? 0 : 2);
      throw new UsageError(`${what}: bad hex digit ${JSON.stringify(c)} at character ${position}`, command);
    }
    digits.push(c);
  }
  if (digits.length % 2 !== 0) throw new UsageError(`${what}: odd number of hex digits (${digits.length})`, command);
  const bytes = new Uint8Array(digits.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(digits[2 * i]! + digits[2 * i + 1]!, 16);
  return bytes;
}

/** Formats bytes as lower-case hex digits with no separators. */
export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}
