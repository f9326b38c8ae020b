import type { MemEvent40Message, MemEvent41Message, MemEvent42Message } from './paging-message.js';
import type { PagingAbi } from './paging-abi.js';
import type { PagingProtocol } from './paging-protocol.js';
import { MemEvent40Codec } from '../internal/abi/mem-event-40-codec.js';
import { MemEventCodec } from '../internal/abi/mem-event-codec.js';

/**
 * What defines a mem_event ABI besides its wire layout.
 *
 * @example
 * ```ts
 * const abi = createMemEvent42Abi({ generation: '4.2', xenReleases: '4.2–4.4', flagNames: { VCPU_PAUSED: MEM_EVENT_FLAG_VCPU_PAUSED }, reasonNames: {}, protocol: MEM_EVENT_4_2.protocol });
 * ```
 */
export interface MemEventAbiSpec {
  /** The paging age, used in the id (`mem_event/age<N>`, or `mem_event/<generation>` when not a number). */
  readonly generation: string;
  /** Xen releases (or trees) that speak it, for humans. */
  readonly xenReleases: string;
  /** Flags it defines, by Xen name without the `MEM_EVENT_FLAG_` prefix. */
  readonly flagNames: Readonly<Record<string, number>>;
  /** Reasons it defines, by Xen name without the `MEM_EVENT_REASON_` prefix. */
  readonly reasonNames: Readonly<Record<string, number>>;
  /** Its protocol behaviour. */
  readonly protocol: PagingProtocol;
  /** Bytes per entry: 40 (default), or 296 for Xen 4.5's entry with `x86_regs` (4.2 layout only). */
  readonly entryBytes?: 40 | 296;
}

function memEventId(generation: string): string {
  return /^\d+$/.test(generation) ? `mem_event/age${generation}` : `mem_event/${generation}`;
}

/**
 * Makes a mem_event ABI on Xen 4.0's layout (40 bytes on x86-64: 64-bit `gfn`, `offset`, `p2mt`, then
 * `vcpu_id` and 64-bit `flags`; no `reason`, no `type`). `entryBytes` is ignored: it is 40.
 *
 * @example
 * ```ts
 * import { createMemEvent40Abi, MEM_EVENT_4_0 } from '@pagevisor/core';
 *
 * const patched = createMemEvent40Abi({ ...MEM_EVENT_4_0, generation: '4.0-vendor', xenReleases: 'vendor 4.0' });
 * patched.entryBytes; // 40
 * ```
 */
export function createMemEvent40Abi(spec: MemEventAbiSpec): PagingAbi<MemEvent40Message> {
  return new MemEvent40Codec({ ...spec, id: memEventId(spec.generation) });
}

/**
 * Makes a mem_event ABI on the Xen 4.1 layout (40 bytes, with the `type` field): the layout of paging
 * ages 1 to 3.
 *
 * @example
 * ```ts
 * import { createMemEvent41Abi, MEM_EVENT_AGE3 } from '@pagevisor/core';
 *
 * // A hypothetical age 4 that kept the age-3 wire format and changed only behaviour:
 * const age4 = createMemEvent41Abi({ ...MEM_EVENT_AGE3, generation: '4', xenReleases: 'vendor tree' });
 * ```
 */
export function createMemEvent41Abi(spec: MemEventAbiSpec): PagingAbi<MemEvent41Message> {
  return new MemEventCodec<MemEvent41Message>({
    ...spec,
    id: memEventId(spec.generation),
    typeNames: { SHARED: 0, PAGING: 1, ACCESS: 2 },
  });
}

/**
 * Makes a mem_event ABI on the Xen 4.2–4.4 layout (40 bytes, 32-bit flags first, no `type`).
 *
 * @example
 * ```ts
 * import { createMemEvent42Abi, MEM_EVENT_4_2 } from '@pagevisor/core';
 *
 * const patched = createMemEvent42Abi({ ...MEM_EVENT_4_2, generation: '4.2-vendor', xenReleases: 'vendor 4.2' });
 * patched.id; // 'mem_event/4.2-vendor'
 * ```
 */
export function createMemEvent42Abi(spec: MemEventAbiSpec): PagingAbi<MemEvent42Message> {
  return new MemEventCodec<MemEvent42Message>({ ...spec, id: memEventId(spec.generation), typeNames: {} });
}
