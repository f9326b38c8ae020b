// Constants of Xen's vm_event interface (public/vm_event.h), 4.6 onwards, as named there.
// Each comment gives the release that introduced the constant (`xen/include/public/vm_event.h`).

/**
 * `VM_EVENT_FLAG_VCPU_PAUSED` (4.6): the vcpu is vm_event-paused until the response.
 *
 * @example
 * ```ts
 * if (message.flags & xen.VM_EVENT_FLAG_VCPU_PAUSED) console.log('gfn', message.gfn, 'has VM_EVENT_FLAG_VCPU_PAUSED');
 * ```
 */
export const VM_EVENT_FLAG_VCPU_PAUSED = 1 << 0;
/**
 * `VM_EVENT_FLAG_FOREIGN` (4.6): raised by another domain.
 *
 * @example
 * ```ts
 * if (message.flags & xen.VM_EVENT_FLAG_FOREIGN) console.log('gfn', message.gfn, 'has VM_EVENT_FLAG_FOREIGN');
 * ```
 */
export const VM_EVENT_FLAG_FOREIGN = 1 << 1;
/**
 * `VM_EVENT_FLAG_EMULATE` (4.6).
 *
 * @example
 * ```ts
 * if (message.flags & xen.VM_EVENT_FLAG_EMULATE) console.log('gfn', message.gfn, 'has VM_EVENT_FLAG_EMULATE');
 * ```
 */
export const VM_EVENT_FLAG_EMULATE = 1 << 2;
/**
 * `VM_EVENT_FLAG_EMULATE_NOWRITE` (4.6).
 *
 * @example
 * ```ts
 * if (message.flags & xen.VM_EVENT_FLAG_EMULATE_NOWRITE) console.log('gfn', message.gfn, 'has VM_EVENT_FLAG_EMULATE_NOWRITE');
 * ```
 */
export const VM_EVENT_FLAG_EMULATE_NOWRITE = 1 << 3;
/**
 * `VM_EVENT_FLAG_TOGGLE_SINGLESTEP` (4.6).
 *
 * @example
 * ```ts
 * if (message.flags & xen.VM_EVENT_FLAG_TOGGLE_SINGLESTEP) console.log('gfn', message.gfn, 'has VM_EVENT_FLAG_TOGGLE_SINGLESTEP');
 * ```
 */
export const VM_EVENT_FLAG_TOGGLE_SINGLESTEP = 1 << 4;
/**
 * `VM_EVENT_FLAG_SET_EMUL_READ_DATA` (4.6).
 *
 * @example
 * ```ts
 * if (message.flags & xen.VM_EVENT_FLAG_SET_EMUL_READ_DATA) console.log('gfn', message.gfn, 'has VM_EVENT_FLAG_SET_EMUL_READ_DATA');
 * ```
 */
export const VM_EVENT_FLAG_SET_EMUL_READ_DATA = 1 << 5;
/**
 * `VM_EVENT_FLAG_DENY` (4.6).
 *
 * @example
 * ```ts
 * if (message.flags & xen.VM_EVENT_FLAG_DENY) console.log('gfn', message.gfn, 'has VM_EVENT_FLAG_DENY');
 * ```
 */
export const VM_EVENT_FLAG_DENY = 1 << 6;
/**
 * `VM_EVENT_FLAG_ALTERNATE_P2M` (4.6).
 *
 * @example
 * ```ts
 * if (message.flags & xen.VM_EVENT_FLAG_ALTERNATE_P2M) console.log('gfn', message.gfn, 'has VM_EVENT_FLAG_ALTERNATE_P2M');
 * ```
 */
export const VM_EVENT_FLAG_ALTERNATE_P2M = 1 << 7;
/**
 * `VM_EVENT_FLAG_SET_REGISTERS` (4.7).
 *
 * @example
 * ```ts
 * if (message.flags & xen.VM_EVENT_FLAG_SET_REGISTERS) console.log('gfn', message.gfn, 'has VM_EVENT_FLAG_SET_REGISTERS');
 * ```
 */
export const VM_EVENT_FLAG_SET_REGISTERS = 1 << 8;
/**
 * `VM_EVENT_FLAG_SET_EMUL_INSN_DATA` (4.8).
 *
 * @example
 * ```ts
 * if (message.flags & xen.VM_EVENT_FLAG_SET_EMUL_INSN_DATA) console.log('gfn', message.gfn, 'has VM_EVENT_FLAG_SET_EMUL_INSN_DATA');
 * ```
 */
export const VM_EVENT_FLAG_SET_EMUL_INSN_DATA = 1 << 9;
/**
 * `VM_EVENT_FLAG_GET_NEXT_INTERRUPT` (4.9).
 *
 * @example
 * ```ts
 * if (message.flags & xen.VM_EVENT_FLAG_GET_NEXT_INTERRUPT) console.log('gfn', message.gfn, 'has VM_EVENT_FLAG_GET_NEXT_INTERRUPT');
 * ```
 */
export const VM_EVENT_FLAG_GET_NEXT_INTERRUPT = 1 << 10;
/**
 * `VM_EVENT_FLAG_FAST_SINGLESTEP` (4.14).
 *
 * @example
 * ```ts
 * if (message.flags & xen.VM_EVENT_FLAG_FAST_SINGLESTEP) console.log('gfn', message.gfn, 'has VM_EVENT_FLAG_FAST_SINGLESTEP');
 * ```
 */
export const VM_EVENT_FLAG_FAST_SINGLESTEP = 1 << 11;
/**
 * `VM_EVENT_FLAG_NESTED_P2M` (4.15).
 *
 * @example
 * ```ts
 * if (message.flags & xen.VM_EVENT_FLAG_NESTED_P2M) console.log('gfn', message.gfn, 'has VM_EVENT_FLAG_NESTED_P2M');
 * ```
 */
export const VM_EVENT_FLAG_NESTED_P2M = 1 << 12;
/**
 * `VM_EVENT_FLAG_RESET_VMTRACE` (4.15).
 *
 * @example
 * ```ts
 * if (message.flags & xen.VM_EVENT_FLAG_RESET_VMTRACE) console.log('gfn', message.gfn, 'has VM_EVENT_FLAG_RESET_VMTRACE');
 * ```
 */
export const VM_EVENT_FLAG_RESET_VMTRACE = 1 << 13;
/**
 * `VM_EVENT_FLAG_RESET_FORK_STATE` (after 4.15, interface version 7).
 *
 * @example
 * ```ts
 * if (message.flags & xen.VM_EVENT_FLAG_RESET_FORK_STATE) console.log('gfn', message.gfn, 'has VM_EVENT_FLAG_RESET_FORK_STATE');
 * ```
 */
export const VM_EVENT_FLAG_RESET_FORK_STATE = 1 << 14;
/**
 * `VM_EVENT_FLAG_RESET_FORK_MEMORY` (after 4.15, interface version 7).
 *
 * @example
 * ```ts
 * if (message.flags & xen.VM_EVENT_FLAG_RESET_FORK_MEMORY) console.log('gfn', message.gfn, 'has VM_EVENT_FLAG_RESET_FORK_MEMORY');
 * ```
 */
export const VM_EVENT_FLAG_RESET_FORK_MEMORY = 1 << 15;

/**
 * `MEM_PAGING_DROP_PAGE` (`u.mem_paging.flags`): the gfn was removed from the guest; free its slot.
 *
 * @example
 * ```ts
 * if ((message as VmEventMessage).pagingFlags & xen.MEM_PAGING_DROP_PAGE) console.log('MEM_PAGING_DROP_PAGE for gfn', message.gfn);
 * ```
 */
export const MEM_PAGING_DROP_PAGE = 1 << 0;
/**
 * `MEM_PAGING_EVICT_FAIL` (`u.mem_paging.flags`): nominated, never evicted; the frame is still attached.
 *
 * @example
 * ```ts
 * if ((message as VmEventMessage).pagingFlags & xen.MEM_PAGING_EVICT_FAIL) console.log('MEM_PAGING_EVICT_FAIL for gfn', message.gfn);
 * ```
 */
export const MEM_PAGING_EVICT_FAIL = 1 << 1;

/**
 * `VM_EVENT_REASON_UNKNOWN` (4.6).
 *
 * @example
 * ```ts
 * if (message.reason === xen.VM_EVENT_REASON_UNKNOWN) console.log('a VM_EVENT_REASON_UNKNOWN event for gfn', message.gfn);
 * ```
 */
export const VM_EVENT_REASON_UNKNOWN = 0;
/**
 * `VM_EVENT_REASON_MEM_ACCESS` (4.6).
 *
 * @example
 * ```ts
 * if (message.reason === xen.VM_EVENT_REASON_MEM_ACCESS) console.log('a VM_EVENT_REASON_MEM_ACCESS event for gfn', message.gfn);
 * ```
 */
export const VM_EVENT_REASON_MEM_ACCESS = 1;
/**
 * `VM_EVENT_REASON_MEM_SHARING` (4.6).
 *
 * @example
 * ```ts
 * if (message.reason === xen.VM_EVENT_REASON_MEM_SHARING) console.log('a VM_EVENT_REASON_MEM_SHARING event for gfn', message.gfn);
 * ```
 */
export const VM_EVENT_REASON_MEM_SHARING = 2;
/**
 * `VM_EVENT_REASON_MEM_PAGING` (4.6): the reason every paging request and response carries.
 *
 * @example
 * ```ts
 * if (message.reason === xen.VM_EVENT_REASON_MEM_PAGING) console.log('a VM_EVENT_REASON_MEM_PAGING event for gfn', message.gfn);
 * ```
 */
export const VM_EVENT_REASON_MEM_PAGING = 3;
/**
 * `VM_EVENT_REASON_WRITE_CTRLREG` (4.6).
 *
 * @example
 * ```ts
 * if (message.reason === xen.VM_EVENT_REASON_WRITE_CTRLREG) console.log('a VM_EVENT_REASON_WRITE_CTRLREG event for gfn', message.gfn);
 * ```
 */
export const VM_EVENT_REASON_WRITE_CTRLREG = 4;
/**
 * `VM_EVENT_REASON_MOV_TO_MSR` (4.6).
 *
 * @example
 * ```ts
 * if (message.reason === xen.VM_EVENT_REASON_MOV_TO_MSR) console.log('a VM_EVENT_REASON_MOV_TO_MSR event for gfn', message.gfn);
 * ```
 */
export const VM_EVENT_REASON_MOV_TO_MSR = 5;
/**
 * `VM_EVENT_REASON_SOFTWARE_BREAKPOINT` (4.6).
 *
 * @example
 * ```ts
 * if (message.reason === xen.VM_EVENT_REASON_SOFTWARE_BREAKPOINT) console.log('a VM_EVENT_REASON_SOFTWARE_BREAKPOINT event for gfn', message.gfn);
 * ```
 */
export const VM_EVENT_REASON_SOFTWARE_BREAKPOINT = 6;
/**
 * `VM_EVENT_REASON_SINGLESTEP` (4.6).
 *
 * @example
 * ```ts
 * if (message.reason === xen.VM_EVENT_REASON_SINGLESTEP) console.log('a VM_EVENT_REASON_SINGLESTEP event for gfn', message.gfn);
 * ```
 */
export const VM_EVENT_REASON_SINGLESTEP = 7;
/**
 * `VM_EVENT_REASON_GUEST_REQUEST` (4.6).
 *
 * @example
 * ```ts
 * if (message.reason === xen.VM_EVENT_REASON_GUEST_REQUEST) console.log('a VM_EVENT_REASON_GUEST_REQUEST event for gfn', message.gfn);
 * ```
 */
export const VM_EVENT_REASON_GUEST_REQUEST = 8;
/**
 * `VM_EVENT_REASON_DEBUG_EXCEPTION` (4.8).
 *
 * @example
 * ```ts
 * if (message.reason === xen.VM_EVENT_REASON_DEBUG_EXCEPTION) console.log('a VM_EVENT_REASON_DEBUG_EXCEPTION event for gfn', message.gfn);
 * ```
 */
export const VM_EVENT_REASON_DEBUG_EXCEPTION = 9;
/**
 * `VM_EVENT_REASON_CPUID` (4.8).
 *
 * @example
 * ```ts
 * if (message.reason === xen.VM_EVENT_REASON_CPUID) console.log('a VM_EVENT_REASON_CPUID event for gfn', message.gfn);
 * ```
 */
export const VM_EVENT_REASON_CPUID = 10;
/**
 * `VM_EVENT_REASON_PRIVILEGED_CALL` (4.8).
 *
 * @example
 * ```ts
 * if (message.reason === xen.VM_EVENT_REASON_PRIVILEGED_CALL) console.log('a VM_EVENT_REASON_PRIVILEGED_CALL event for gfn', message.gfn);
 * ```
 */
export const VM_EVENT_REASON_PRIVILEGED_CALL = 11;
/**
 * `VM_EVENT_REASON_INTERRUPT` (4.9).
 *
 * @example
 * ```ts
 * if (message.reason === xen.VM_EVENT_REASON_INTERRUPT) console.log('a VM_EVENT_REASON_INTERRUPT event for gfn', message.gfn);
 * ```
 */
export const VM_EVENT_REASON_INTERRUPT = 12;
/**
 * `VM_EVENT_REASON_DESCRIPTOR_ACCESS` (4.9).
 *
 * @example
 * ```ts
 * if (message.reason === xen.VM_EVENT_REASON_DESCRIPTOR_ACCESS) console.log('a VM_EVENT_REASON_DESCRIPTOR_ACCESS event for gfn', message.gfn);
 * ```
 */
export const VM_EVENT_REASON_DESCRIPTOR_ACCESS = 13;
/**
 * `VM_EVENT_REASON_EMUL_UNIMPLEMENTED` (4.10).
 *
 * @example
 * ```ts
 * if (message.reason === xen.VM_EVENT_REASON_EMUL_UNIMPLEMENTED) console.log('a VM_EVENT_REASON_EMUL_UNIMPLEMENTED event for gfn', message.gfn);
 * ```
 */
export const VM_EVENT_REASON_EMUL_UNIMPLEMENTED = 14;
/**
 * `VM_EVENT_REASON_VMEXIT` (after 4.15, interface version 7).
 *
 * @example
 * ```ts
 * if (message.reason === xen.VM_EVENT_REASON_VMEXIT) console.log('a VM_EVENT_REASON_VMEXIT event for gfn', message.gfn);
 * ```
 */
export const VM_EVENT_REASON_VMEXIT = 15;
/**
 * `VM_EVENT_REASON_IO_INSTRUCTION` (after 4.15, interface version 7).
 *
 * @example
 * ```ts
 * if (message.reason === xen.VM_EVENT_REASON_IO_INSTRUCTION) console.log('a VM_EVENT_REASON_IO_INSTRUCTION event for gfn', message.gfn);
 * ```
 */
export const VM_EVENT_REASON_IO_INSTRUCTION = 16;
