import type { Token } from '../di/token.js';

/**
 * What a plugin registers its parts into: one pager's own container, typed by token, so
 * `provide(PAGE_STORE, 42)` does not compile.
 *
 * @remarks
 * A token may hold several values: `provide` adds one, {@link PluginContainer.resolve} returns the last
 * one provided (a wrapper store provided after the store it wraps replaces it), and `resolveAll` all of
 * them in order (the offline handlers).
 *
 * @example
 * ```ts
 * const plugin: PagevisorPlugin = {
 *   name: 'my-store',
 *   register(container, { maxPages }) {
 *     container.provide(PAGE_STORE, new MemoryPageStore(maxPages));
 *   },
 * };
 * ```
 */
export interface PluginContainer {
  /** Adds `value` under `token`. */
  provide<T>(token: Token<T>, value: T): void;
  /** Adds every one of `values` under `token`, in order. */
  provideAll<T>(token: Token<T>, values: readonly T[]): void;
  /**
   * The value provided last under `token`.
   *
   * @throws `Error` when nothing was provided under it
   */
  resolve<T>(token: Token<T>): T;
  /** Every value provided under `token`, in order (none: an empty array). */
  resolveAll<T>(token: Token<T>): T[];
  /** Whether anything was provided under `token`. */
  has(token: Token<unknown>): boolean;
}
