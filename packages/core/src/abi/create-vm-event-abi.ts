import type { VmEventMessage } from './paging-message.js';
import type { PagingAbi } from './paging-abi.js';
import type { PagingProtocol } from './paging-protocol.js';
import { VmEventCodec } from '../internal/abi/vm-event-codec.js';

/**
 * What defines one `VM_EVENT_INTERFACE_VERSION`.
 *
 * @example
 * ```ts
 * const abi = createVmEventAbi({ version: 7, entryBytes: 400, xenReleases: '4.15–4.22', flagNames: { VCPU_PAUSED: VM_EVENT_FLAG_VCPU_PAUSED }, reasonNames: {}, protocol: VM_EVENT_V7.protocol });
 * ```
 */
export interface VmEventAbiSpec {
  /** The interface version (the id is `vm_event/v<version>`). */
  readonly version: number;
  /** `sizeof(vm_event_request_t)`; at least 56 (the header and the union before `data`). */
  readonly entryBytes: number;
  /** Xen releases that speak it, for humans. */
  readonly xenReleases: string;
  /** Flags it defines, by Xen name without the `VM_EVENT_FLAG_` prefix. */
  readonly flagNames: Readonly<Record<string, number>>;
  /** Reasons it defines, by Xen name without the `VM_EVENT_REASON_` prefix. */
  readonly reasonNames: Readonly<Record<string, number>>;
  /** Its protocol behaviour. */
  readonly protocol: PagingProtocol;
}

/**
 * Makes a vm_event ABI: the header, `u.mem_paging` and an opaque `data` union sized to fit
 * `entryBytes`. This is how a future interface version is added.
 *
 * @example
 * ```ts
 * import { createVmEventAbi, VM_EVENT_V7 } from '@pagevisor/core';
 *
 * // Suppose Xen bumps the interface to 8 and grows the register block by 16 bytes:
 * const v8 = createVmEventAbi({ ...VM_EVENT_V7, version: 8, entryBytes: 416, xenReleases: '4.23' });
 * v8.ringSlots; // 8
 * ```
 */
export function createVmEventAbi(spec: VmEventAbiSpec): PagingAbi<VmEventMessage> {
  return new VmEventCodec(spec.version, {
    id: `vm_event/v${spec.version}`,
    xenReleases: spec.xenReleases,
    entryBytes: spec.entryBytes,
    flagNames: spec.flagNames,
    pagingFlagNames: { DROP_PAGE: 1 << 0, EVICT_FAIL: 1 << 1 },
    reasonNames: spec.reasonNames,
    protocol: spec.protocol,
  });
}
