/**
 * `pnpm test:quick` sets `PAGEVISOR_QUICK=1` for a developer's loop: the slowest tests are skipped, and
 * each says so in its name (`pnpm test` and CI run them all).
 */
export const QUICK = process.env.PAGEVISOR_QUICK === '1';

/** `name`, marked as skipped under `pnpm test:quick` when running quick; pass it with `it.skipIf(QUICK)`. */
export function slowTestName(name: string): string {
  return QUICK ? `${name} (skipped by pnpm test:quick: slow)` : name;
}
