/**
 * A typed DI token: a `Symbol.for` key that remembers the type registered under it.
 *
 * @typeParam T - what the container resolves for it
 *
 * @example
 * ```ts
 * const LOGGER: Token<Logger> = token<Logger>('logger');
 * ```
 */
export type Token<T> = symbol & {
  /** Carries `T` for the type checker only; never set. */
  readonly __type?: T;
};

/**
 * Makes a token named `@pagevisor/<name>`; the same name always gives the same token.
 *
 * @example
 * ```ts
 * const CLOCK = token<Clock>('clock'); // Symbol.for('@pagevisor/clock'), typed
 * container.provide(CLOCK, systemClock);
 * ```
 */
export function token<T>(name: string): Token<T> {
  return Symbol.for(`@pagevisor/${name}`) as Token<T>;
}
