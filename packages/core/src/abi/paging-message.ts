/**
 * The fields every paging request or response has, whatever its ABI.
 *
 * @remarks
 * Request and response are one C type in every Xen release, so one message type serves both.
 * Messages are plain mutable objects so that a ring drain can decode into a reused pool of them.
 *
 * @example
 * ```ts
 * const { gfn, vcpuId, flags, reason } = abi.decode(entry);
 * ```
 */
export interface PagingMessageBase {
  /** Guest frame number, below 2^53 (a larger value is refused with `ABI_FIELD_RANGE`). */
  gfn: number;
  /** The vcpu that faulted (`vcpu_id`). */
  vcpuId: number;
  /** The p2m type the gfn had when the request was raised (`p2mt`), in the ABI's numbering. */
  p2mt: number;
  /** The top-level flags word (`flags`). */
  flags: number;
  /** The event reason (`reason`). */
  reason: number;
  /**
   * The bytes of the entry that paging does not interpret (register data, `gla`, ...): a copy of the
   * whole entry, `entryBytes` long, in which the bytes of the named fields are zero (see the ABI's
   * `layout`). Kept so that decode → encode is byte-identical; when absent, those bytes are zeros.
   * A decode that skips it (a ring drain with `keepOpaque` false) leaves it undefined.
   */
  opaque?: Uint8Array | undefined;
}

/**
 * A message of Xen 4.0's layout: `mem_event/4.0`. It has no `reason` on the wire: always 0.
 *
 * @example
 * ```ts
 * const message: MemEvent40Message = MEM_EVENT_4_0.decode(entry);
 * ```
 */
export type MemEvent40Message = PagingMessageBase;

/**
 * A message of the Xen 4.1 layout: `mem_event/age1`, `mem_event/age2` and `mem_event/age3`.
 *
 * @example
 * ```ts
 * const message = MEM_EVENT_AGE1.decode(entry) as MemEvent41Message;
 * if (message.type === MEM_EVENT_TYPE_PAGING) console.log(message.gfn);
 * ```
 */
export interface MemEvent41Message extends PagingMessageBase {
  /** `MEM_EVENT_TYPE_*` (the 4.1 `type` field; populate sets `MEM_EVENT_TYPE_PAGING`). */
  type: number;
}

/**
 * A message of the Xen 4.2–4.4 layout: `mem_event/4.2`.
 *
 * @example
 * ```ts
 * const message: MemEvent42Message = MEM_EVENT_4_2.decode(entry);
 * ```
 */
export type MemEvent42Message = PagingMessageBase;

/**
 * A message of the vm_event layout: `vm_event/v1` … `vm_event/v7`.
 *
 * @example
 * ```ts
 * const message = VM_EVENT_V7.decode(entry) as VmEventMessage;
 * if (message.pagingFlags & MEM_PAGING_DROP_PAGE) console.log('dropped', message.gfn);
 * ```
 */
export interface VmEventMessage extends PagingMessageBase {
  /** `VM_EVENT_INTERFACE_VERSION` stamped in the message; Xen drops responses whose version differs. */
  version: number;
  /** `u.mem_paging.flags`: `MEM_PAGING_DROP_PAGE`, `MEM_PAGING_EVICT_FAIL`. */
  pagingFlags: number;
}

/**
 * Any paging message.
 *
 * @example
 * ```ts
 * const message: PagingMessage = abi.decode(entry);
 * ```
 */
export type PagingMessage = MemEvent40Message | MemEvent41Message | MemEvent42Message | VmEventMessage;
