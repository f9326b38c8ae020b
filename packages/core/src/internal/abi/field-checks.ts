import { AbiError } from '../../errors/abi-error.js';

/** Formats a number as Xen's logs do: `0x` and lower-case hex. */
export function hex(value: number): string {
  return `0x${value.toString(16)}`;
}

function describe(value: unknown): string {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 ? hex(value) : String(value);
}

const TWO_POW_32 = 0x1_0000_0000;
/** The high word of a 64-bit field must stay below this for the value to be below 2^53. */
const SAFE_HIGH_WORD_LIMIT = 0x20_0000;

/** Throws `ABI_FIELD_RANGE` unless `value` is an integer in `[0, 2^16)`. */
export function checkUint16(abi: string, field: string, offset: number, value: unknown): void {
  // `x >>> 0 === x` is true only for numbers that are integers in [0, 2^32); it rejects NaN and non-numbers.
  if ((value as number) >>> 0 === value && value <= 0xffff) return;
  throw rangeError(abi, field, offset, value, 16);
}

/** Throws `ABI_FIELD_RANGE` unless `value` is an integer in `[0, 2^32)`. */
export function checkUint32(abi: string, field: string, offset: number, value: unknown): void {
  if ((value as number) >>> 0 === value) return;
  throw rangeError(abi, field, offset, value, 32);
}

function rangeError(abi: string, field: string, offset: number, value: unknown, bits: number): AbiError {
  return new AbiError('ABI_FIELD_RANGE', `${abi}: ${field} ${describe(value)} at offset ${offset} is not a ${bits}-bit unsigned integer`, {
    abi,
    field,
    offset,
    value,
  });
}

/** Throws `ABI_FIELD_RANGE` unless `value` is an integer in `[0, 2^53)`: a gfn JavaScript can hold exactly. */
export function checkGfn(abi: string, field: string, offset: number, value: unknown): void {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return;
  throw new AbiError('ABI_FIELD_RANGE', `${abi}: ${field} ${describe(value)} at offset ${offset} is not an integer in [0, 2^53)`, {
    abi,
    field,
    offset,
    value,
  });
}

/** Throws `ABI_BAD_FLAGS` when `value` has bits outside `defined`. */
export function checkFlags(abi: string, field: string, offset: number, value: number, defined: number): void {
  const unknown = (value & ~defined) >>> 0;
  if (unknown === 0) return;
  throw new AbiError(
    'ABI_BAD_FLAGS',
    `${abi}: ${field} ${hex(value)} at offset ${offset} has bits ${hex(unknown)} this ABI does not define (defined: ${hex(defined)})`,
    { abi, field, offset, value },
  );
}

/** Throws `ABI_BAD_VALUE` when the enumerated `value` is above `max`. */
export function checkEnum(abi: string, field: string, offset: number, value: number, max: number): void {
  if (value <= max) return;
  throw new AbiError('ABI_BAD_VALUE', `${abi}: ${field} ${value} at offset ${offset} is not defined by this ABI (0–${max})`, {
    abi,
    field,
    offset,
    value,
  });
}

/** Reads a little-endian uint64 gfn at `entry + at`, refusing values ≥ 2^53. */
export function readGfn(abi: string, data: DataView, entry: number, at: number): number {
  const low = data.getUint32(entry + at, true);
  const high = data.getUint32(entry + at + 4, true);
  if (high >= SAFE_HIGH_WORD_LIMIT) {
    throw new AbiError(
      'ABI_FIELD_RANGE',
      `${abi}: gfn 0x${high.toString(16)}${low.toString(16).padStart(8, '0')} at offset ${at} is not below 2^53`,
      { abi, field: 'gfn', offset: at, value: BigInt(high) * 0x1_0000_0000n + BigInt(low) },
    );
  }
  return high * TWO_POW_32 + low;
}

/** Writes a gfn already checked by {@link checkGfn} as a little-endian uint64. */
export function writeGfn(data: DataView, at: number, gfn: number): void {
  data.setUint32(at, gfn >>> 0, true);
  data.setUint32(at + 4, Math.floor(gfn / TWO_POW_32), true);
}

/** OR of all values of a name → bit table. */
export function maskOf(names: Readonly<Record<string, number>>): number {
  let mask = 0;
  for (const bit of Object.values(names)) mask |= bit;
  return mask >>> 0;
}

/** Largest value of a name → value table (−1 when empty). */
export function maxOf(names: Readonly<Record<string, number>>): number {
  return Math.max(-1, ...Object.values(names));
}
