import { AbiError } from '../errors/abi-error.js';

/**
 * One field of an ABI entry, at its byte offset.
 *
 * @remarks
 * `name` is the Pagevisor message property for the fields paging uses; fields paging does not use are
 * `opaque: true` and travel as raw bytes in the message's `opaque` array (a copy of the entry with the
 * named fields zeroed), so that decode → encode is byte-identical.
 *
 * @example
 * ```ts
 * for (const field of abi.layout) console.log(field.name, field.offset, field.size);
 * ```
 */
export interface FieldLayout {
  /** The message property (`gfn`, `flags`, ...), or a descriptive name for an opaque field. */
  readonly name: string;
  /** The member's name in Xen's C header. */
  readonly xenName: string;
  /** Byte offset inside the entry. */
  readonly offset: number;
  /** Size in bytes. */
  readonly size: number;
  /** True for bytes paging does not interpret, kept verbatim in `opaque`. */
  readonly opaque: boolean;
}

/**
 * Checks that a layout tiles `[0, entryBytes)` with no gap and no overlap, and returns the byte ranges
 * of the named (not opaque) fields as `[start, end)` pairs, adjacent ranges merged.
 *
 * @internal
 */
export function namedRangesOf(id: string, layout: readonly FieldLayout[], entryBytes: number): number[] {
  const ranges: number[] = [];
  let next = 0;
  for (const field of layout) {
    if (field.offset !== next) {
      throw new AbiError('ABI_LENGTH', `layout of ${id}: field ${field.name} starts at ${field.offset}, expected ${next}`, {
        abi: id,
        field: field.name,
        offset: field.offset,
      });
    }
    next = field.offset + field.size;
    if (field.opaque) continue;
    if (ranges.length > 0 && ranges[ranges.length - 1] === field.offset) ranges[ranges.length - 1] = next;
    else ranges.push(field.offset, next);
  }
  if (next !== entryBytes || layout.some((field) => field.size <= 0)) {
    throw new AbiError('ABI_LENGTH', `layout of ${id} does not tile an entry of ${entryBytes} bytes`, { abi: id, value: entryBytes });
  }
  return ranges;
}
