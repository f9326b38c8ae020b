import type { PagingBackend } from '../backend/paging-backend.js';
import type { PluginContainer } from './plugin-container.js';

/**
 * What a plugin learns about the pager it is registered into.
 *
 * @example
 * ```ts
 * const plugin: PagevisorPlugin = { name: 'mine', register: (container, { maxPages }) => container.provide(PAGE_STORE, new MemoryPageStore(maxPages)) };
 * ```
 */
export interface PluginContext {
  /**
   * Names the memory paged, for default file names and key prefixes: `dom1` for Xen domain 1 (see
   * {@link PagingBackend.memoryName}).
   */
  readonly memoryName: string;
  /** gfns are `[0, maxPages)`. */
  readonly maxPages: number;
  /** 1 for gfns the policy must never pick (gfn 0 always). */
  readonly neverEvict: Uint8Array;
  /** Seed for anything random. */
  readonly seed: number;
}

/**
 * A Pagevisor plugin: a policy, a store, an offline handler, or anything else a pager resolves from its
 * container. Factories return one; `register` puts its parts into the pager's own child container
 * (never the global one), under core's tokens.
 *
 * @example
 * ```ts
 * import { PAGE_STORE, type PagevisorPlugin } from '@pagevisor/core';
 *
 * export function myStore(): PagevisorPlugin {
 *   return {
 *     name: 'my-store',
 *     register(container) {
 *       container.provide(PAGE_STORE, new MyStore());
 *     },
 *   };
 * }
 * ```
 */
export interface PagevisorPlugin {
  /** The plugin's name, for reports and errors. */
  readonly name: string;
  /** Registers the plugin's parts into one pager's container. */
  register(container: PluginContainer, context: PluginContext): void;
}

/**
 * A plugin of the host rather than of one pager: an offline-page handler, which acts on machine frames
 * whatever domain owns them. It registers into the offline manager's container and, unlike a
 * {@link PagevisorPlugin}, is told nothing about a pager (there is none).
 *
 * @example
 * ```ts
 * import { OFFLINE_HANDLERS, type HostPlugin } from '@pagevisor/core';
 *
 * export function refuseAll(): HostPlugin {
 *   return {
 *     name: 'refuse-all',
 *     register(container) {
 *       container.provide(OFFLINE_HANDLERS, { name: 'refuse-all', canHandle: () => true, handle: async () => ({ result: 'declined', reason: 'maintenance' }) });
 *     },
 *   };
 * }
 * ```
 */
export interface HostPlugin {
  /** The plugin's name, for reports and errors. */
  readonly name: string;
  /** Registers the plugin's parts into the offline manager's container. */
  register(container: PluginContainer): void;
}
