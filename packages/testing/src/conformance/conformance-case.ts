/**
 * One check of a conformance suite, for any test runner: `it(c.name, c.run)`.
 *
 * @example
 * ```ts
 * for (const c of storeConformanceCases(subject)) it(c.name, c.run);
 * ```
 */
export interface ConformanceCase {
  /** What the check asserts, prefixed with the subject's name. */
  readonly name: string;
  /** Resolves if the subject conforms; rejects with a {@link ConformanceFailure} (or the subject's own error) if not. */
  run(): Promise<void>;
}

/**
 * A subject broke its contract; the message says how.
 *
 * @example
 * ```ts
 * for (const result of await runStoreConformance(subject)) if (result.error instanceof ConformanceFailure) console.log(result.name, result.error.message);
 * ```
 */
export class ConformanceFailure extends Error {
  /** Always `ConformanceFailure`. */
  override readonly name = 'ConformanceFailure';
}

/**
 * The outcome of one conformance case.
 *
 * @example
 * ```ts
 * const failed = (await runStoreConformance(subject)).filter((r: ConformanceResult) => r.error);
 * ```
 */
export interface ConformanceResult {
  /** The case's name. */
  readonly name: string;
  /** Why it failed; absent if it passed. */
  readonly error?: Error;
}

/**
 * Runs cases one after another, each to its end whatever the others did, and returns each outcome:
 * the runner {@link runStoreConformance} and {@link runPolicyConformance} use, for a script or a CI
 * step without a test runner.
 *
 * @param cases - the cases, from `storeConformanceCases` or `policyConformanceCases`
 * @returns one result per case, in order; a failed case has its `error`
 *
 * @example
 * ```ts
 * const results = await runConformance(storeConformanceCases(subject));
 * for (const r of results) console.log(r.error ? `FAIL  ${r.name}: ${r.error.message}` : `ok    ${r.name}`);
 * ```
 */
export async function runConformance(cases: readonly ConformanceCase[]): Promise<ConformanceResult[]> {
  const results: ConformanceResult[] = [];
  for (const c of cases) {
    try {
      await c.run();
      results.push({ name: c.name });
    } catch (error) {
      results.push({ name: c.name, error: error instanceof Error ? error : new Error(String(error)) });
    }
  }
  return results;
}
