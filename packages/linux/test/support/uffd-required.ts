// Whether this machine can run the userfaultfd tests: CI sets PAGEVISOR_REQUIRE_UFFD=1, so a missing
// userfaultfd fails there; elsewhere the tests skip, with the reason in their names.
import { it } from 'vitest';
import { userfaultfdSupport } from '../../src/index.js';

export const support = userfaultfdSupport();
if (process.env.PAGEVISOR_REQUIRE_UFFD === '1' && !support.available) throw support.problem;
/** Appended to the describe of tests that need userfaultfd: empty, or why they are skipped. */
export const skipReason = support.available ? '' : ` (skipped: ${support.problem.message})`;
/** `it` where userfaultfd works (and `also` holds: another thing the test needs), `it.skip` elsewhere. */
export function uffdIt(name: string, body: () => Promise<void> | void, also = true): void {
  (support.available && also ? it : it.skip)(name, body);
}
