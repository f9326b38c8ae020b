/**
 * `RING_IDX` arithmetic: indexes are free-running unsigned 32-bit counters that wrap, so every
 * difference is taken modulo 2^32.
 *
 * @param later - the index expected to be ahead
 * @param earlier - the index expected to be behind
 * @returns `(later − earlier) mod 2^32`
 *
 * @example
 * ```ts
 * ringDistance(2, 0xffff_ffff); // 3
 * ```
 */
export function ringDistance(later: number, earlier: number): number {
  return (later - earlier) >>> 0;
}

/**
 * The `io/ring.h` notify rule (`RING_PUSH_*_AND_CHECK_NOTIFY`): after moving a producer index from
 * `oldIndex` to `newIndex`, the other side must be notified iff its event index lies in
 * `(oldIndex, newIndex]`, i.e. `(new − event) < (new − old)` in `RING_IDX` arithmetic.
 *
 * @example
 * ```ts
 * ringNotifyNeeded(5, 3, 4); // true: the consumer asked to be woken at index 4
 * ringNotifyNeeded(5, 3, 9); // false
 * ```
 */
export function ringNotifyNeeded(newIndex: number, oldIndex: number, eventIndex: number): boolean {
  return ringDistance(newIndex, eventIndex) < ringDistance(newIndex, oldIndex);
}
