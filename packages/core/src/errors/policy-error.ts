import { PagevisorError } from './pagevisor-error.js';

/**
 * A victim policy broke its contract: it named a victim that is not resident (or beyond its pages),
 * or chose none when a full cache needed one. Code `POLICY`; the message names the policy, the gfn
 * and the request.
 *
 * @example
 * ```ts
 * try {
 *   simulateTrace(ids, distinct, (ctx) => mine(ctx), 353);
 * } catch (e) {
 *   if (isPagevisorError(e, 'POLICY')) console.error(e.message); // sweep named gfn 17 at request 3, which is not resident
 * }
 * ```
 */
export class PolicyError extends PagevisorError {
  declare readonly code: 'POLICY';
  /**
   * @param policy - the policy's name
   * @param message - what it did, naming the gfn and the request
   * @param gfn - the victim it named, if any
   * @param request - the index of the request (trace simulation) at which it happened
   */
  constructor(
    readonly policy: string,
    message: string,
    readonly gfn: number | undefined,
    readonly request: number,
  ) {
    super('POLICY', message);
  }
}
