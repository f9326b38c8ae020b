/**
 * A typed array the simulator lets you read and not write: the simulator's own array, typed with its
 * reading members only, so that an assignment, `fill`, `set`, `copyWithin`, `sort`, `reverse` or
 * `subarray` does not compile (`slice`, `map` and `filter` give copies you may change). It costs
 * nothing: the simulator's state changes only through its operations, which keep its invariants.
 *
 * @example
 * ```ts
 * const types: ReadonlyTypedArray<Uint8Array> = guest.p2mType;
 * types[100]; // P2mType.ram_rw
 * // types[100] = 0; // does not compile
 * ```
 */
export type ReadonlyTypedArray<A extends Uint8Array | Uint16Array | Int32Array | Uint32Array> = Pick<
  A,
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
  | typeof Symbol.iterator
> & {
  readonly [index: number]: number;
};
