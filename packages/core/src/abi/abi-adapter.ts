import type { PagingAbi } from './paging-abi.js';
import type { PagingMessage, VmEventMessage } from './paging-message.js';

/**
 * Bridges a pager that speaks one ABI to a hypervisor that speaks another, message by message.
 *
 * @remarks
 * An adapter exists only where the two ABIs have the same paging protocol and differ in bytes the pager
 * does not need, so translating messages is enough. The built-in ones bridge every pair of vm_event
 * versions: the paging fields (`u.mem_paging`, flags, vcpu) never changed, only the register block did.
 * No adapter bridges two mem_event ages: each age changed the protocol itself (seed 001), which is why
 * ages exist.
 *
 * @example
 * ```ts
 * import { createDefaultAbiRegistry } from '@pagevisor/core';
 *
 * const adapter = createDefaultAbiRegistry().adapter('vm_event/v7', 'vm_event/v5');
 * ```
 */
export interface AbiAdapter {
  /** The ABI the pager speaks. */
  readonly pagerAbi: string;
  /** The ABI on the ring, announced by the hypervisor. */
  readonly wireAbi: string;
  /** Turns a message decoded with the wire ABI into one of the pager's ABI. */
  fromWire(message: PagingMessage): PagingMessage;
  /** Turns a message of the pager's ABI into one the wire ABI encodes. */
  toWire(message: PagingMessage): PagingMessage;
}

/** Opaque bytes of a vm_event entry that mean the same in every version: header, altp2m_idx, _pad, `u`. */
const VM_EVENT_STABLE_BYTES = 56;

function restamp(message: VmEventMessage, from: PagingAbi<VmEventMessage>, to: PagingAbi<VmEventMessage>): VmEventMessage {
  let opaque: Uint8Array | undefined;
  if (message.opaque !== undefined) {
    opaque = new Uint8Array(to.entryBytes);
    opaque.set(message.opaque.subarray(0, VM_EVENT_STABLE_BYTES));
  }
  // A version other than the sender's own is kept as is, so a wrong version still reaches Xen's check.
  const version = message.version === Number(from.generation) ? Number(to.generation) : message.version;
  return { ...message, version, opaque };
}

/**
 * Makes the adapter between two vm_event interface versions.
 *
 * @remarks
 * `version` is restamped, the paging fields pass unchanged, and the register block (`data`) is not
 * translated: its layout changed between versions and paging never reads it, so it arrives zeroed.
 * A flag the other version does not define makes the following encode throw `ABI_BAD_FLAGS`.
 *
 * @param pager - the version the pager speaks
 * @param wire - the version the hypervisor announced
 *
 * @example
 * ```ts
 * import { createVmEventVersionAdapter, VM_EVENT_V5, VM_EVENT_V7 } from '@pagevisor/core';
 *
 * const adapter = createVmEventVersionAdapter(VM_EVENT_V7, VM_EVENT_V5);
 * adapter.toWire(VM_EVENT_V7.create({ gfn: 1 })).version; // 5
 * ```
 */
export function createVmEventVersionAdapter(pager: PagingAbi<VmEventMessage>, wire: PagingAbi<VmEventMessage>): AbiAdapter {
  return {
    pagerAbi: pager.id,
    wireAbi: wire.id,
    fromWire: (message) => restamp(message as VmEventMessage, wire, pager),
    toWire: (message) => restamp(message as VmEventMessage, pager, wire),
  };
}
