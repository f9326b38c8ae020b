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
