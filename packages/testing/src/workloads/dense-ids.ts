/**
 * Page ids renumbered 0, 1, 2, … in order of first appearance.
 *
 * @example
 * ```ts
 * const { ids, distinct } = denseIds(readTrace('cloudPhysicsIO.vscsi', { format: 'vscsi' }).ids);
 * ```
 */
export interface DenseIds {
  /** The renumbered ids, one per request. */
  readonly ids: Uint32Array;
  /** How many distinct ids there are (the dense ids are `[0, distinct)`). */
  readonly distinct: number;
}

/**
 * Renumbers sparse page ids (block numbers, addresses) densely, once at load, so that everything after
 * can index typed arrays by id.
 *
 * @example
 * ```ts
 * denseIds(new Float64Array([900, 7, 900])); // { ids: [0, 1, 0], distinct: 2 }
 * ```
 */
export function denseIds(ids: Float64Array): DenseIds {
  const map = new Map<number, number>();
  const out = new Uint32Array(ids.length);
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i]!;
    let dense = map.get(id);
    if (dense === undefined) {
      dense = map.size;
      map.set(id, dense);
    }
    out[i] = dense;
  }
  return { ids: out, distinct: map.size };
}
