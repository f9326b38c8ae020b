import { PagevisorError } from '@pagevisor/core';

/**
 * Where an {@link InvariantViolation} was found.
 *
 * @example
 * ```ts
 * try { auditor.auditDomain(domain, 'end'); } catch (e) { if (e instanceof InvariantViolation) console.log(e.site); }
 * ```
 */
export interface ViolationSite {
  /** The domain. */
  readonly domid: number;
  /** The gfn, or −1 for a domain-wide counter. */
  readonly gfn: number;
  /** The machine frame, or −1. */
  readonly mfn: number;
  /** The operation after which the check failed (`evict`, `resume`, ...). */
  readonly op: string;
}

/**
 * A simulator invariant broke: p2m and M2P disagree, a reference count does not match the mappings,
 * `paged_pages` is off, or a page's content is not the version the guest last wrote.
 *
 * @example
 * ```ts
 * try {
 *   new InvariantAuditor(hv.frames).auditDomain(domain, 'end');
 * } catch (error) {
 *   if (error instanceof InvariantViolation) console.log(error.message);
 * }
 * ```
 */
export class InvariantViolation extends PagevisorError {
  /** The domain. */
  readonly domid: number;
  /** The gfn, or −1. */
  readonly gfn: number;
  /** The machine frame, or −1. */
  readonly mfn: number;
  /** The operation after which it was found. */
  readonly op: string;

  /**
   * @param site - domain, gfn, mfn and operation
   * @param what - the invariant and the values that broke it
   */
  constructor(site: ViolationSite, what: string) {
    const gfn = site.gfn >= 0 ? ` gfn 0x${site.gfn.toString(16)}` : '';
    const mfn = site.mfn >= 0 ? ` mfn 0x${site.mfn.toString(16)}` : '';
    super('INVARIANT', `invariant broken after ${site.op}: domain ${site.domid}${gfn}${mfn}: ${what}`);
    this.domid = site.domid;
    this.gfn = site.gfn;
    this.mfn = site.mfn;
    this.op = site.op;
  }
}
