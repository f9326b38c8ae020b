/**
 * Xen's own flag, type and reason constants of the paging ring, under Xen's names: the mem_event ones
 * (`xen/include/public/mem_event.h`, 4.0–4.5) and the vm_event ones (`xen/include/public/vm_event.h`,
 * 4.6 on). Core exports them as one namespace, `xen`, so the engine's API stays free of them.
 *
 * @module
 */
export * from './mem-event-constants.js';
export * from './vm-event-constants.js';
