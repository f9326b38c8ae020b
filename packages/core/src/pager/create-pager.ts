import { container as rootContainer } from 'tsyringe';
import type { AbiRegistry } from '../abi/abi-registry.js';
import { createDefaultAbiRegistry } from '../abi/create-default-abi-registry.js';
import type { PagingBackend } from '../backend/paging-backend.js';
import { ABI_REGISTRY, CLOCK, HYPERVISOR, PAGE_STORE, PAGER_CONFIG, PAGING_BACKEND, VICTIM_POLICY } from '../di/tokens.js';
import { ConfigError } from '../errors/config-error.js';
import type { HypervisorPort } from '../hypervisor/hypervisor-port.js';
import type { PagevisorPlugin, PluginContext } from '../plugin/pagevisor-plugin.js';
import { systemClock, type Clock } from './clock.js';
import { TsyringePluginContainer } from '../internal/di/tsyringe-plugin-container.js';
import { xenAbiPreference } from '../xen/xen-abi-preference.js';
import { XenPagingBackend, xenMemoryName } from '../xen/xen-paging-backend.js';
import { Pager } from './pager.js';
import { resolvePagerConfig, type PagerConfig } from './pager-config.js';

/**
 * What every {@link createPager} call needs besides the memory to page.
 *
 * @example
 * ```ts
 * const common: CreatePagerCommon = { policy: xenpaging(), store: memoryStore(), config: { batchSize: 128 } };
 * ```
 */
export interface CreatePagerCommon {
  /** The victim policy plugin (registers `VICTIM_POLICY`). */
  readonly policy: PagevisorPlugin;
  /** The page store plugin (registers `PAGE_STORE`). */
  readonly store: PagevisorPlugin;
  /** More plugins, registered after the policy and the store. */
  readonly plugins?: readonly PagevisorPlugin[];
  /** Settings ({@link PagerConfig}). */
  readonly config?: PagerConfig;
  /** Time source (default: the process clock). */
  readonly clock?: Clock;
}

/**
 * A pager over any {@link PagingBackend}.
 *
 * @example
 * ```ts
 * createPager({ backend, policy: xenpaging(), store: memoryStore() });
 * ```
 */
export interface CreatePagerOnBackend extends CreatePagerCommon {
  /** The memory to page. */
  readonly backend: PagingBackend;
  /** Not with a backend: the backend already says what it pages. */
  readonly hypervisor?: never;
  /** Not with a backend. */
  readonly domid?: never;
  /** Not with a backend: ABIs are Xen's. */
  readonly abi?: never;
  /** Not with a backend. */
  readonly abiRegistry?: never;
}

/**
 * A pager of a Xen domain: `createPager` builds its {@link XenPagingBackend}.
 *
 * @example
 * ```ts
 * createPager({ hypervisor, domid: 1, abi: 'vm_event/v7', policy: xenpaging(), store: pagefileStore({ path }) });
 * ```
 */
export interface CreatePagerOnXen extends CreatePagerCommon {
  /** The Xen port (a real binding, or `SimHypervisor` from `@pagevisor/testing`). */
  readonly hypervisor: HypervisorPort;
  /** The domain to page. */
  readonly domid: number;
  /**
   * The paging ABIs the pager speaks, most preferred first (default: every built-in ABI, newest first).
   * A Xen that announces its ABI (vm_event from 4.13) gets the best match; on one that cannot say
   * (mem_event, vm_event before 4.13) the pager speaks the first, so name that Xen's ABI first.
   */
  readonly abi?: string | readonly string[];
  /**
   * The paging ABIs and adapters known (default: {@link createDefaultAbiRegistry}); plugins may add
   * to it through `ABI_REGISTRY`. Every id in `abi` must be registered in it.
   */
  readonly abiRegistry?: AbiRegistry;
  /** Not with a Xen port: the pager builds the backend. */
  readonly backend?: never;
}

/**
 * What {@link createPager} needs: a backend, or a Xen port and a domain.
 *
 * @example
 * ```ts
 * const options: CreatePagerOptions = { hypervisor, domid: 1, policy: xenpaging(), store: memoryStore() };
 * ```
 */
export type CreatePagerOptions = CreatePagerOnBackend | CreatePagerOnXen;

/**
 * Builds a pager: one child DI container per pager, with the settings and the clock (and for Xen the
 * hypervisor and the ABI registry) registered under core's tokens, then every plugin's `register`, then
 * the backend (`PAGING_BACKEND`: the one given, or a {@link XenPagingBackend} over `hypervisor`). Two
 * pagers never share state.
 *
 * @throws {@link ConfigError} for bad settings, or a plugin that registers no policy or store
 *
 * @example
 * ```ts
 * import { createPager } from '@pagevisor/core';
 * import { xenpaging } from '@pagevisor/policies';
 * import { memoryStore } from '@pagevisor/storage';
 *
 * const pager = createPager({ hypervisor, domid: 1, policy: xenpaging(), store: memoryStore() });
 * await pager.start();
 * ```
 */
export function createPager(options: CreatePagerOptions): Pager {
  const config = resolvePagerConfig(options.config);
  const container = rootContainer.createChildContainer();
  container.register(PAGER_CONFIG, { useValue: config });
  container.register(CLOCK, { useValue: options.clock ?? systemClock });
  let xen: { readonly abi: readonly string[]; readonly abiRegistry: AbiRegistry } | undefined;
  if (options.backend === undefined) {
    const abiRegistry = options.abiRegistry ?? createDefaultAbiRegistry();
    xen = { abi: xenAbiPreference(options.abi, abiRegistry), abiRegistry };
    container.register(HYPERVISOR, { useValue: options.hypervisor });
    container.register(ABI_REGISTRY, { useValue: abiRegistry });
  }
  const pageCount = options.backend !== undefined ? options.backend.pageCount : options.hypervisor.domainInfo(options.domid).maxPages;
  const memoryName = options.backend !== undefined ? options.backend.memoryName : xenMemoryName(options.domid);
  const neverEvict = new Uint8Array(pageCount);
  for (const gfn of config.neverEvict) if (gfn < pageCount) neverEvict[gfn] = 1;
  const context: PluginContext = { memoryName, maxPages: pageCount, neverEvict, seed: config.seed };
  const plugins = new TsyringePluginContainer(container);
  for (const plugin of [options.policy, options.store, ...(options.plugins ?? [])]) plugin.register(plugins, context);
  for (const [tokenName, token, plugin] of [
    ['policy', VICTIM_POLICY, options.policy],
    ['store', PAGE_STORE, options.store],
  ] as const) {
    if (!container.isRegistered(token)) throw new ConfigError(tokenName, `${tokenName} plugin "${plugin.name}" registered no ${tokenName}`);
  }
  // Built after the plugins, which may have added ABIs and adapters to the registry.
  const backend = options.backend ?? new XenPagingBackend({ hypervisor: options.hypervisor, domid: options.domid, abi: xen!.abi, abiRegistry: xen!.abiRegistry });
  container.register(PAGING_BACKEND, { useValue: backend });
  return container.resolve(Pager);
}
