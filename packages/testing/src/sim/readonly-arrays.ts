/** The reading members of a typed array (`filter`, `map` and `slice` make copies): no `set`, `fill`, `copyWithin`, `sort`, `reverse` or `subarray`. */
type ReadingMembers =
  | 'length'
  | 'byteLength'
  | 'at'
  | 'indexOf'
  | 'lastIndexOf'
  | 'includes'
  | 'every'
  | 'some'
  | 'find'
  | 'findIndex'
  | 'forEach'
  | 'reduce'
  | 'filter'
  | 'map'
  | 'join'
  | 'slice'
  | 'entries'
  | 'keys'
  | 'values'
  | typeof Symbol.iterator;

/**
 * A typed array the simulator lets you read and not write: the simulator's own array, typed so that
 * an assignment, `fill` or `set` does not compile (`slice` gives a copy you may change). It costs
 * nothing: the simulator's state changes only through its operations, which keep its invariants.
 *
 * @example
 * ```ts
 * const types: ReadonlyTypedArray<Uint8Array> = guest.p2mType;
 * types[100]; // P2mType.ram_rw
 * // types[100] = 0; // does not compile
 * ```
 */
export type ReadonlyTypedArray<A extends Uint8Array | Uint16Array | Int32Array | Uint32Array> = Pick<A, ReadingMembers> & {
  readonly [index: number]: number;
};
