import { AbiError } from '../errors/abi-error.js';
import type { AbiAdapter } from './abi-adapter.js';
import type { PagingAbi } from './paging-abi.js';

/**
 * The outcome of a successful negotiation: what is on the ring, what the pager speaks, and the adapter
 * between them when they differ.
 *
 * @example
 * ```ts
 * const { wire, pager: spoken, adapter } = createDefaultAbiRegistry().negotiate('vm_event/v7', ['vm_event/v5']);
 * ```
 */
export interface NegotiatedAbi {
  /** The ABI the hypervisor announced: encode and decode ring entries with it. */
  readonly wire: PagingAbi;
  /** The ABI the pager speaks (equal to `wire` when no adapter is needed). */
  readonly pager: PagingAbi;
  /** Translates between the two; undefined when `pager === wire`. */
  readonly adapter: AbiAdapter | undefined;
}

/**
 * The paging ABIs and adapters one process knows, and the negotiation between a hypervisor and a pager.
 *
 * @remarks
 * The hypervisor announces one ABI; the pager lists the ones it supports, in order of preference.
 * {@link AbiRegistry.negotiate} picks the announced ABI when the pager supports it, else the first
 * supported ABI that an adapter bridges to it, else refuses with `ABI_MISMATCH`. The pager negotiates
 * only when the hypervisor can say which ABI it speaks (vm_event's `XEN_VM_EVENT_GET_VERSION`, Xen 4.13
 * on); see {@link @pagevisor/core!HypervisorPort.announcedPagingAbi}.
 *
 * @example
 * ```ts
 * import { createDefaultAbiRegistry } from '@pagevisor/core';
 *
 * const registry = createDefaultAbiRegistry();
 * const { wire, adapter } = registry.negotiate('vm_event/v5', ['vm_event/v7']);
 * wire.id;          // 'vm_event/v5'
 * adapter?.pagerAbi; // 'vm_event/v7'
 * registry.negotiate('mem_event/age1', ['mem_event/age3']); // throws: expected paging age 3, got 1
 * ```
 */
export class AbiRegistry {
  private readonly abis = new Map<string, PagingAbi>();
  private readonly adapters = new Map<string, AbiAdapter>();

  /**
   * @param abis - ABIs to register
   * @param adapters - adapters to register (both of their ABIs must be among `abis`)
   */
  constructor(abis: Iterable<PagingAbi> = [], adapters: Iterable<AbiAdapter> = []) {
    for (const abi of abis) this.register(abi);
    for (const adapter of adapters) this.registerAdapter(adapter);
  }

  /**
   * Adds an ABI.
   *
   * @throws {@link AbiError} `ABI_DUPLICATE` when its id is taken.
   */
  register(abi: PagingAbi): this {
    if (this.abis.has(abi.id)) throw new AbiError('ABI_DUPLICATE', `ABI ${abi.id} is already registered`, { abi: abi.id });
    this.abis.set(abi.id, abi);
    return this;
  }

  /**
   * Adds an adapter from `adapter.pagerAbi` to `adapter.wireAbi`.
   *
   * @throws {@link AbiError} `ABI_UNKNOWN` when either ABI is not registered, `ABI_DUPLICATE` when that
   * pair already has an adapter.
   */
  registerAdapter(adapter: AbiAdapter): this {
    this.get(adapter.pagerAbi);
    this.get(adapter.wireAbi);
    const key = adapterKey(adapter.pagerAbi, adapter.wireAbi);
    if (this.adapters.has(key)) {
      throw new AbiError('ABI_DUPLICATE', `an adapter from ${adapter.pagerAbi} to ${adapter.wireAbi} is already registered`, {
        abi: adapter.wireAbi,
      });
    }
    this.adapters.set(key, adapter);
    return this;
  }

  /** Whether an ABI with this id is registered. */
  has(id: string): boolean {
    return this.abis.has(id);
  }

  /**
   * The ABI with this id.
   *
   * @throws {@link AbiError} `ABI_UNKNOWN`, listing the ids that are known.
   */
  get(id: string): PagingAbi {
    const abi = this.abis.get(id);
    if (abi !== undefined) return abi;
    throw new AbiError('ABI_UNKNOWN', `unknown paging ABI "${id}" (known: ${[...this.abis.keys()].join(', ')})`, { abi: id, value: id });
  }

  /** Every registered ABI, in registration order. */
  list(): readonly PagingAbi[] {
    return [...this.abis.values()];
  }

  /** The adapter that lets a pager speaking `pagerAbi` work a ring of `wireAbi`, if one is registered. */
  adapter(pagerAbi: string, wireAbi: string): AbiAdapter | undefined {
    return this.adapters.get(adapterKey(pagerAbi, wireAbi));
  }

  /**
   * Agrees on the ABI for one ring.
   *
   * @param hypervisorAbi - the ABI the hypervisor announces
   * @param pagerSupports - the ABIs the pager speaks, most preferred first
   * @returns the wire ABI, the pager ABI and the adapter between them, if any
   * @throws {@link AbiError} `ABI_UNKNOWN` for an unregistered id; `ABI_MISMATCH` with
   * "expected paging age X, got Y" (or "expected vm_event interface version X, got Y") when nothing bridges.
   */
  negotiate(hypervisorAbi: string, pagerSupports: readonly string[]): NegotiatedAbi {
    const wire = this.get(hypervisorAbi);
    const supported = pagerSupports.map((id) => this.get(id));
    if (supported.includes(wire)) return { wire, pager: wire, adapter: undefined };
    for (const pager of supported) {
      const adapter = this.adapter(pager.id, wire.id);
      if (adapter !== undefined) return { wire, pager, adapter };
    }
    throw new AbiError('ABI_MISMATCH', mismatchMessage(wire, supported), { abi: wire.id, value: wire.id });
  }
}

function adapterKey(pagerAbi: string, wireAbi: string): string {
  return `${pagerAbi}\u0000${wireAbi}`;
}

function mismatchMessage(wire: PagingAbi, supported: readonly PagingAbi[]): string {
  const sameFamily = supported.filter((abi) => abi.family === wire.family);
  if (sameFamily.length === 0) {
    const ids = supported.map((abi) => abi.id);
    return `expected paging ABI ${ids.length > 0 ? ids.join(' or ') : '(none)'}, got ${wire.id}`;
  }
  const what = wire.family === 'mem_event' ? 'paging age' : 'vm_event interface version';
  return `expected ${what} ${sameFamily.map((abi) => abi.generation).join(' or ')}, got ${wire.generation}`;
}
