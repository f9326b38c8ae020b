/**
 * What a guest operation does; one byte per operation in a {@link Workload}.
 *
 * @example
 * ```ts
 * const ops = new Uint8Array([GuestOp.read, GuestOp.write, GuestOp.balloonOut]);
 * ```
 */
export const GuestOp = Object.freeze({
  /** A vcpu reads the page. */
  read: 0,
  /** A vcpu writes the page (its content version goes up). */
  write: 1,
  /** The balloon driver gives the page back (`decrease_reservation`). */
  balloonOut: 2,
  /** The balloon driver takes a page back (`populate_physmap` of the oldest ballooned gfn). */
  balloonIn: 3,
  /** A backend grant-maps the page for a while (seed 003's race with nomination). */
  grantMap: 4,
  /** The hypervisor copies into the page for a vcpu (`__hvm_copy`; retried while paged). */
  hvmCopy: 5,
});

/**
 * A {@link GuestOp} value.
 *
 * @example
 * ```ts
 * const op: GuestOpValue = GuestOp.read;
 * ```
 */
export type GuestOpValue = (typeof GuestOp)[keyof typeof GuestOp];

/**
 * A guest's reference stream: parallel typed arrays of operations and page indexes. Page indexes are
 * `[0, pages)` and are mapped onto the domain's RAM gfns by the runner.
 *
 * @example
 * ```ts
 * const workload: Workload = zipfWorkload({ pages: 4096, accesses: 10_000, seed: 1 });
 * console.log(workload.name, workload.ops.length);
 * ```
 */
export interface Workload {
  /** A name for reports (`zipf`, `lirs-sprite.trace.gz`, ...). */
  readonly name: string;
  /** Distinct page indexes the stream uses: `[0, pages)`. */
  readonly pages: number;
  /** Operation of each step ({@link GuestOp}). */
  readonly ops: Uint8Array;
  /** Page index of each step. */
  readonly targets: Uint32Array;
}
