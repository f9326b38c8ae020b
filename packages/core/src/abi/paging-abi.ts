import type { ByteView } from './byte-view.js';
import type { FieldLayout } from './field-layout.js';
import type { PagingMessage } from './paging-message.js';
import type { PagingProtocol } from './paging-protocol.js';

/**
 * The two families of paging ABIs: Xen's `mem_event` (4.1–4.4) and `vm_event` (4.6+).
 *
 * @example
 * ```ts
 * const family: AbiFamily = VM_EVENT_V7.family; // 'vm_event'
 * ```
 */
export type AbiFamily = 'mem_event' | 'vm_event';

/**
 * A versioned paging ABI: a byte-exact wire layout, its codec, and the protocol behaviour of its age.
 *
 * @remarks
 * The built-in ABIs are `mem_event/age1`, `mem_event/age2`, `mem_event/age3`, `mem_event/4.2` and
 * `vm_event/v1` … `vm_event/v7` (see {@link BUILTIN_ABIS}). New ones are made with
 * {@link createMemEvent41Abi}, {@link createMemEvent42Abi} or {@link createVmEventAbi} and registered in an {@link AbiRegistry}.
 *
 * Codecs work in place on a {@link ByteView} (a ring slot), and validate everything they read: a
 * decode of untrusted bytes returns a valid message or throws an {@link AbiError} naming the ABI, the
 * field, its offset and the bad value.
 *
 * @typeParam M - the message type of this ABI's layout
 *
 * @example
 * ```ts
 * import { VM_EVENT_V7, xen } from '@pagevisor/core';
 *
 * const bytes = VM_EVENT_V7.encodeBytes(VM_EVENT_V7.create({ gfn: 0x1234, flags: xen.VM_EVENT_FLAG_VCPU_PAUSED }));
 * const message = VM_EVENT_V7.decodeBytes(bytes); // { version: 7, gfn: 0x1234, ... }
 * ```
 */
export interface PagingAbi<M extends PagingMessage = PagingMessage> {
  /** The ABI id, `<family>/<generation>` (`mem_event/age3`, `vm_event/v7`). */
  readonly id: string;
  /** The interface family. */
  readonly family: AbiFamily;
  /**
   * The paging age (`1`, `2`, `3`, `4.2`) for `mem_event`, the `VM_EVENT_INTERFACE_VERSION` for
   * `vm_event`; used in negotiation messages.
   */
  readonly generation: string;
  /** Xen releases that speak this ABI, for humans (`4.15–4.22`). */
  readonly xenReleases: string;
  /** Size of one request/response entry in bytes. */
  readonly entryBytes: number;
  /** Ring slots in one 4096-byte ring page: the largest power of two ≤ (4096 − 64) / entryBytes. */
  readonly ringSlots: number;
  /** Every field of the entry, in offset order, tiling it exactly. */
  readonly layout: readonly FieldLayout[];
  /** Top-level flags this ABI defines, by Xen name without prefix (`VCPU_PAUSED`). */
  readonly flagNames: Readonly<Record<string, number>>;
  /** `u.mem_paging.flags` this ABI defines (vm_event only; empty for mem_event). */
  readonly pagingFlagNames: Readonly<Record<string, number>>;
  /** Reasons this ABI defines, by Xen name without prefix (`MEM_PAGING`). */
  readonly reasonNames: Readonly<Record<string, number>>;
  /** Event types (the 4.1 `type` field) this ABI defines; empty where the layout has none. */
  readonly typeNames: Readonly<Record<string, number>>;
  /** The protocol behaviour of this age. */
  readonly protocol: PagingProtocol;

  /**
   * Makes a message with every field defaulted: zeros, no opaque bytes, and the values a paging
   * request of this ABI carries (`type` PAGING, `reason` MEM_PAGING and `version` for vm_event).
   *
   * @param fields - values to set (validated on encode, not here)
   */
  create(fields?: Partial<M>): M;
  /**
   * Writes `message` as one entry at `offset` of `view`.
   *
   * @throws {@link AbiError} `ABI_FIELD_RANGE`, `ABI_BAD_FLAGS`, `ABI_BAD_VALUE` or `ABI_LENGTH` for a
   * message the layout cannot carry; nothing is written then.
   */
  encode(message: M, view: ByteView, offset: number): void;
  /**
   * Reads the entry at `offset` of `view` into a new message.
   *
   * @throws {@link AbiError} for bytes that are not a valid entry of this ABI.
   */
  decode(view: ByteView, offset: number): M;
  /**
   * Reads the entry at `offset` of `view` into `target`, reusing its `opaque` array: the allocation-free
   * decode a ring drain uses.
   *
   * @param keepOpaque - copy the uninterpreted bytes into `target.opaque` (default true); false leaves
   * `opaque` undefined and saves the copy, for a consumer (the pager) that never re-encodes them
   * @returns `target`
   * @throws {@link AbiError} for bytes that are not a valid entry; `target` may then be partly written.
   */
  decodeInto(view: ByteView, offset: number, target: M, keepOpaque?: boolean): M;
  /** Encodes one message into a new `entryBytes`-long array. */
  encodeBytes(message: M): Uint8Array;
  /**
   * Decodes one entry from exactly `entryBytes` bytes.
   *
   * @throws {@link AbiError} `ABI_LENGTH` when `bytes` is not one entry long.
   */
  decodeBytes(bytes: Uint8Array): M;
}
