// Constants of Xen's mem_event interface (`xen/include/public/mem_event.h`), 4.0 to 4.5, as named there.

/**
 * `MEM_EVENT_FLAG_VCPU_PAUSED`: the faulting vcpu is paused until the response. Every age.
 *
 * @example
 * ```ts
 * if (message.flags & xen.MEM_EVENT_FLAG_VCPU_PAUSED) console.log('gfn', message.gfn, 'has MEM_EVENT_FLAG_VCPU_PAUSED');
 * ```
 */
export const MEM_EVENT_FLAG_VCPU_PAUSED = 1 << 0;
/**
 * `MEM_EVENT_FLAG_DROP_PAGE`: the gfn was removed from the guest (balloon); free its slot. Every age.
 *
 * @example
 * ```ts
 * if (message.flags & xen.MEM_EVENT_FLAG_DROP_PAGE) console.log('gfn', message.gfn, 'has MEM_EVENT_FLAG_DROP_PAGE');
 * ```
 */
export const MEM_EVENT_FLAG_DROP_PAGE = 1 << 1;
/**
 * `MEM_EVENT_FLAG_DOM_PAUSED`: Xen 4.0 only, where bit 1 meant "the domain is paused" (never set by
 * paging); 4.1 gave the bit to DROP_PAGE.
 *
 * @example
 * ```ts
 * if (message.flags & xen.MEM_EVENT_FLAG_DOM_PAUSED) console.log('gfn', message.gfn, 'has MEM_EVENT_FLAG_DOM_PAUSED');
 * ```
 */
export const MEM_EVENT_FLAG_DOM_PAUSED = 1 << 1;
/**
 * `MEM_EVENT_FLAG_OUT_OF_MEM`: Xen 4.0 only, bit 2 (never set by paging); 4.2 gave the bit to EVICT_FAIL.
 *
 * @example
 * ```ts
 * if (message.flags & xen.MEM_EVENT_FLAG_OUT_OF_MEM) console.log('gfn', message.gfn, 'has MEM_EVENT_FLAG_OUT_OF_MEM');
 * ```
 */
export const MEM_EVENT_FLAG_OUT_OF_MEM = 1 << 2;
/**
 * `MEM_EVENT_FLAG_EVICT_FAIL`: the page was nominated, not evicted; its frame is still attached. Age 3 (SUSE) and 4.2.
 *
 * @example
 * ```ts
 * if (message.flags & xen.MEM_EVENT_FLAG_EVICT_FAIL) console.log('gfn', message.gfn, 'has MEM_EVENT_FLAG_EVICT_FAIL');
 * ```
 */
export const MEM_EVENT_FLAG_EVICT_FAIL = 1 << 2;
/**
 * `MEM_EVENT_FLAG_FOREIGN`: the request was raised by another domain, not the guest (4.2, a85f0caca6).
 *
 * @example
 * ```ts
 * if (message.flags & xen.MEM_EVENT_FLAG_FOREIGN) console.log('gfn', message.gfn, 'has MEM_EVENT_FLAG_FOREIGN');
 * ```
 */
export const MEM_EVENT_FLAG_FOREIGN = 1 << 3;
/**
 * `MEM_EVENT_FLAG_DUMMY`: a response Xen skips (4.2, 4803908397).
 *
 * @example
 * ```ts
 * if (message.flags & xen.MEM_EVENT_FLAG_DUMMY) console.log('gfn', message.gfn, 'has MEM_EVENT_FLAG_DUMMY');
 * ```
 */
export const MEM_EVENT_FLAG_DUMMY = 1 << 4;

/**
 * `MEM_EVENT_TYPE_SHARED`: a memory-sharing event (ages 1–3, the 4.1 `type` field).
 *
 * @example
 * ```ts
 * if ((message as MemEvent41Message).type === xen.MEM_EVENT_TYPE_SHARED) console.log('MEM_EVENT_TYPE_SHARED');
 * ```
 */
export const MEM_EVENT_TYPE_SHARED = 0;
/**
 * `MEM_EVENT_TYPE_PAGING`: a paging event; populate sets it (ages 1–3).
 *
 * @example
 * ```ts
 * if ((message as MemEvent41Message).type === xen.MEM_EVENT_TYPE_PAGING) console.log('MEM_EVENT_TYPE_PAGING');
 * ```
 */
export const MEM_EVENT_TYPE_PAGING = 1;
/**
 * `MEM_EVENT_TYPE_ACCESS`: a mem_access event (ages 1–3).
 *
 * @example
 * ```ts
 * if ((message as MemEvent41Message).type === xen.MEM_EVENT_TYPE_ACCESS) console.log('MEM_EVENT_TYPE_ACCESS');
 * ```
 */
export const MEM_EVENT_TYPE_ACCESS = 2;

/**
 * `MEM_EVENT_REASON_UNKNOWN`: the reason paging requests carry.
 *
 * @example
 * ```ts
 * if (message.reason === xen.MEM_EVENT_REASON_UNKNOWN) console.log('a MEM_EVENT_REASON_UNKNOWN event for gfn', message.gfn);
 * ```
 */
export const MEM_EVENT_REASON_UNKNOWN = 0;
/**
 * `MEM_EVENT_REASON_VIOLATION`: a mem_access violation.
 *
 * @example
 * ```ts
 * if (message.reason === xen.MEM_EVENT_REASON_VIOLATION) console.log('a MEM_EVENT_REASON_VIOLATION event for gfn', message.gfn);
 * ```
 */
export const MEM_EVENT_REASON_VIOLATION = 1;
/**
 * `MEM_EVENT_REASON_CR0`.
 *
 * @example
 * ```ts
 * if (message.reason === xen.MEM_EVENT_REASON_CR0) console.log('a MEM_EVENT_REASON_CR0 event for gfn', message.gfn);
 * ```
 */
export const MEM_EVENT_REASON_CR0 = 2;
/**
 * `MEM_EVENT_REASON_CR3`.
 *
 * @example
 * ```ts
 * if (message.reason === xen.MEM_EVENT_REASON_CR3) console.log('a MEM_EVENT_REASON_CR3 event for gfn', message.gfn);
 * ```
 */
export const MEM_EVENT_REASON_CR3 = 3;
/**
 * `MEM_EVENT_REASON_CR4`.
 *
 * @example
 * ```ts
 * if (message.reason === xen.MEM_EVENT_REASON_CR4) console.log('a MEM_EVENT_REASON_CR4 event for gfn', message.gfn);
 * ```
 */
export const MEM_EVENT_REASON_CR4 = 4;
/**
 * `MEM_EVENT_REASON_INT3`.
 *
 * @example
 * ```ts
 * if (message.reason === xen.MEM_EVENT_REASON_INT3) console.log('a MEM_EVENT_REASON_INT3 event for gfn', message.gfn);
 * ```
 */
export const MEM_EVENT_REASON_INT3 = 5;
/**
 * `MEM_EVENT_REASON_SINGLESTEP` (SUSE age 3 and 4.2).
 *
 * @example
 * ```ts
 * if (message.reason === xen.MEM_EVENT_REASON_SINGLESTEP) console.log('a MEM_EVENT_REASON_SINGLESTEP event for gfn', message.gfn);
 * ```
 */
export const MEM_EVENT_REASON_SINGLESTEP = 6;
/**
 * `MEM_EVENT_REASON_MSR` (4.3, within the 4.2–4.4 layout).
 *
 * @example
 * ```ts
 * if (message.reason === xen.MEM_EVENT_REASON_MSR) console.log('a MEM_EVENT_REASON_MSR event for gfn', message.gfn);
 * ```
 */
export const MEM_EVENT_REASON_MSR = 7;
