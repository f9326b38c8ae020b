import { container as rootContainer } from 'tsyringe';
import type { AbiRegistry } from '../abi/abi-registry.js';
import { createDefaultAbiRegistry } from '../abi/create-default-abi-registry.js';
import { ABI_REGISTRY, CLOCK, HYPERVISOR, PAGE_STORE, PAGER_CONFIG, VICTIM_POLICY } from '../di/tokens.js';
import { ConfigError } from '../errors/config-error.js';
import type { HypervisorPort } from '../hypervisor/hypervisor-port.js';
import type { PagevisorPlugin, PluginContext } from '../plugin/pagevisor-plugin.js';
import { systemClock, type Clock } from './clock.js';
import { Pager } from './pager.js';
import { resolvePagerConfig, type PagerConfig } from './pager-config.js';

/**
 * What {@link createPager} needs.
 *
 * @example
 * ```ts
 * createPager({ hypervisor, domain: 1, policy: xenpaging(), store: pagefileStore({ path }), config: { abi: 'vm_event/v7' } });
 * ```
 */
export interface CreatePagerOptions {
  /** The hypervisor (a real binding, or `SimHypervisor` from `@pagevisor/testing`). */
  readonly hypervisor: HypervisorPort;
  /** The domain to page. */
  readonly domain: number;
  /** The victim policy plugin (registers `VICTIM_POLICY`). */
  readonly policy: PagevisorPlugin;
  /** The page store plugin (registers `PAGE_STORE`). */
  readonly store: PagevisorPlugin;
  /** More plugins (offline handlers, loggers, ...), registered after the policy and the store. */
  readonly plugins?: readonly PagevisorPlugin[];
  /** Settings ({@link PagerConfig}). */
  readonly config?: PagerConfig;
  /** Time source (default: the process clock). */
  readonly clock?: Clock;
  /**
   * The paging ABIs and adapters the pager knows (default: {@link createDefaultAbiRegistry}). Every id
   * in `config.abi` must be registered in it.
   */
  readonly abiRegistry?: AbiRegistry;
}

/**
 * Builds a pager: one child DI container per pager, with the hypervisor, the settings and the clock
 * registered under core's tokens, then every plugin's `register`. Two pagers never share state.
 *
 * @throws {@link ConfigError} for bad settings, or a plugin that registers no policy or store
 *
 * @example
 * ```ts
 * import { createPager } from '@pagevisor/core';
 * import { xenpaging } from '@pagevisor/policies';
 * import { memoryStore } from '@pagevisor/storage';
 *
 * const pager = createPager({ hypervisor, domain: 1, policy: xenpaging(), store: memoryStore() });
 * await pager.start();
 * ```
 */
export function createPager(options: CreatePagerOptions): Pager {
  const config = resolvePagerConfig(options.domain, options.config);
  const info = options.hypervisor.domainInfo(options.domain);
  const neverEvict = new Uint8Array(info.maxPages);
  for (const gfn of config.neverEvict) if (gfn < info.maxPages) neverEvict[gfn] = 1;
  const context: PluginContext = { domid: options.domain, maxPages: info.maxPages, neverEvict, seed: config.seed };
  const container = rootContainer.createChildContainer();
  container.register(HYPERVISOR, { useValue: options.hypervisor });
  container.register(PAGER_CONFIG, { useValue: config });
  container.register(CLOCK, { useValue: options.clock ?? systemClock });
  const abiRegistry = options.abiRegistry ?? createDefaultAbiRegistry();
  for (const id of config.abi) if (!abiRegistry.has(id)) throw new ConfigError('abi', `abi: unknown paging ABI "${id}" (known: ${abiRegistry.list().map((a) => a.id).join(', ')})`);
  container.register(ABI_REGISTRY, { useValue: abiRegistry });
  for (const plugin of [options.policy, options.store, ...(options.plugins ?? [])]) plugin.register(container, context);
  for (const [tokenName, token, plugin] of [
    ['policy', VICTIM_POLICY, options.policy],
    ['store', PAGE_STORE, options.store],
  ] as const) {
    if (!container.isRegistered(token)) throw new ConfigError(tokenName, `${tokenName} plugin "${plugin.name}" registered no ${tokenName}`);
  }
  return container.resolve(Pager);
}
