import { createMemEvent40Abi, createMemEvent41Abi, createMemEvent42Abi } from './create-mem-event-abi.js';
import { createVmEventAbi } from './create-vm-event-abi.js';
import * as mem from './mem-event-constants.js';
import * as vm from './vm-event-constants.js';
import type { PagingAbi } from './paging-abi.js';
import type { PagingProtocol } from './paging-protocol.js';
import { P2M_TYPES_XEN_4_0, P2M_TYPES_XEN_4_1, P2M_TYPES_XEN_4_2, P2M_TYPES_XEN_4_6, P2M_TYPES_XEN_4_8 } from './p2m-types.js';

const MEM_EVENT_41_FLAGS = { VCPU_PAUSED: mem.MEM_EVENT_FLAG_VCPU_PAUSED, DROP_PAGE: mem.MEM_EVENT_FLAG_DROP_PAGE };
const MEM_EVENT_41_REASONS = {
  UNKNOWN: mem.MEM_EVENT_REASON_UNKNOWN,
  VIOLATION: mem.MEM_EVENT_REASON_VIOLATION,
  CR0: mem.MEM_EVENT_REASON_CR0,
  CR3: mem.MEM_EVENT_REASON_CR3,
  CR4: mem.MEM_EVENT_REASON_CR4,
  INT3: mem.MEM_EVENT_REASON_INT3,
};

/** Xen 4.1 behaviour: domctl resume of one response, threshold-4 full ring, 4.1 p2m numbering. */
const XEN_41_PROTOCOL: PagingProtocol = {
  codeBase: '4.1',
  dropPage: true,
  prepNoMemoryErrno: 'ENOMEM',
  nominateNoFrameErrno: 'EINVAL',
  evictRechecks: false,
  nominateRefs: 1,
  foreignMapEnoent: 'paged-only',
  resume: 'one-per-call',
  fullRing: 'threshold',
  ringThreshold: 4,
  oneRequestPerGfn: false,
  prepLoadsBuffer: false,
  evictFail: false,
  dummyResponses: false,
  versionChecked: false,
  resumeNeedsVmEventPause: false,
  blackEye: 'online-count',
  // RELEASE-4.1.0 p2m_mem_paging_evict puts the page without scrubbing it, and free_heap_pages leaves
  // its M2P entry as it was.
  evictScrubs: false,
  freeResetsM2p: false,
  announcesAbi: false,
  enableChecksAge: false,
  p2mTypes: P2M_TYPES_XEN_4_1,
};

/**
 * `mem_event/4.0`: Xen 4.0.0–4.0.4, where xenpaging began (x86-64 layout: 40 bytes, 64-bit `p2mt`
 * and `flags`, no `reason`). Its protocol is 4.1's with 4.0's differences: enable checks nothing, a
 * balloon of a paging gfn sends no DROP_PAGE (a gfn without a frame cannot be removed), prep answers
 * `EINVAL` when it finds no memory, a populate by another domain always sends a request, and a
 * populate of a gfn already `paging_in` throws its prepared frame away (with `xenBugs`; the simulator
 * otherwise applies 4.1's rule), as resume forgets the frame's M2P entry.
 *
 * @example
 * ```ts
 * const xen = new SimHypervisor({ abi: MEM_EVENT_4_0.id }); // a simulated Xen that speaks this ABI
 * MEM_EVENT_4_0.entryBytes; // 40
 * ```
 */
export const MEM_EVENT_4_0 = createMemEvent40Abi({
  generation: '4.0',
  xenReleases: '4.0.0–4.0.4',
  flagNames: { VCPU_PAUSED: mem.MEM_EVENT_FLAG_VCPU_PAUSED, DOM_PAUSED: mem.MEM_EVENT_FLAG_DOM_PAUSED, OUT_OF_MEM: mem.MEM_EVENT_FLAG_OUT_OF_MEM },
  reasonNames: {},
  protocol: { ...XEN_41_PROTOCOL, codeBase: '4.0', dropPage: false, prepNoMemoryErrno: 'EINVAL', p2mTypes: P2M_TYPES_XEN_4_0 },
});

/**
 * `mem_event/age1`: Xen 4.1.0–4.1.6.1. Nominate needs one reference (the guest's); the pager maps after
 * nominating; resume consumes one response per domctl; the ring is "full" below 4 free slots; the
 * original 4.1 pager left DROP_PAGE unanswered (ee3c42ba5b), which filled the ring.
 *
 * @example
 * ```ts
 * const xen = new SimHypervisor({ abi: MEM_EVENT_AGE1.id }); // a simulated Xen that speaks this ABI
 * MEM_EVENT_AGE1.entryBytes; // bytes per ring entry
 * ```
 */
export const MEM_EVENT_AGE1 = createMemEvent41Abi({
  generation: '1',
  xenReleases: '4.1.0–4.1.6.1',
  flagNames: MEM_EVENT_41_FLAGS,
  reasonNames: MEM_EVENT_41_REASONS,
  protocol: XEN_41_PROTOCOL,
});

/**
 * `mem_event/age2`: the 4.1 wire layout with seed 001 "map gfn before nomination": nominate needs two
 * references (guest + pager mapping) and a foreign map of any paging gfn fails with ENOENT and retries.
 * Seed 001 was written against the 4.2-dev tree that already had `xc_mem_paging_load` (26a5c829c8,
 * Dec 2011); with paging gfns unmappable, loading through prep is the only way a page comes back.
 *
 * @example
 * ```ts
 * const xen = new SimHypervisor({ abi: MEM_EVENT_AGE2.id }); // a simulated Xen that speaks this ABI
 * MEM_EVENT_AGE2.entryBytes; // bytes per ring entry
 * ```
 */
export const MEM_EVENT_AGE2 = createMemEvent41Abi({
  generation: '2',
  xenReleases: '4.1 + seed 001 (xen-devel, Dec 2011)',
  flagNames: MEM_EVENT_41_FLAGS,
  reasonNames: MEM_EVENT_41_REASONS,
  // Evict scrubs from 62530296c7 (October 2011, "xenpaging: clear page content after evict"), which
  // also removed xenpaging's memset; seed 001's xenpaging no longer has it.
  protocol: { ...XEN_41_PROTOCOL, nominateRefs: 2, foreignMapEnoent: 'any-paging-state', prepLoadsBuffer: true, evictScrubs: true, freeResetsM2p: true },
});

/**
 * `mem_event/age3`: SUSE's 4.1.2 tree (`MEM_EVENT_PAGING_AGE 3UL`): the age-2 rules plus `EVICT_FAIL`,
 * one request per gfn, a per-gfn wait queue instead of `VCPU_PAUSED`, and 4.2's slot claims: a guest
 * vcpu sleeps on a wait queue while the ring is full, a foreign caller sends nothing. Its drop_page
 * claims no slot of its own, sets `type=PAGING` and never `EVICT_FAIL`; evict requires `paging_out` and
 * re-checks the references (`EBUSY`); nominate refuses a gfn without a frame with `EAGAIN`.
 *
 * @example
 * ```ts
 * const xen = new SimHypervisor({ abi: MEM_EVENT_AGE3.id }); // a simulated Xen that speaks this ABI
 * MEM_EVENT_AGE3.entryBytes; // bytes per ring entry
 * ```
 */
export const MEM_EVENT_AGE3 = createMemEvent41Abi({
  generation: '3',
  xenReleases: 'SUSE 4.1.2',
  flagNames: { ...MEM_EVENT_41_FLAGS, EVICT_FAIL: mem.MEM_EVENT_FLAG_EVICT_FAIL },
  reasonNames: { ...MEM_EVENT_41_REASONS, SINGLESTEP: mem.MEM_EVENT_REASON_SINGLESTEP },
  protocol: {
    ...XEN_41_PROTOCOL,
    nominateRefs: 2,
    foreignMapEnoent: 'any-paging-state',
    oneRequestPerGfn: true,
    fullRing: 'claim',
    ringThreshold: 0,
    prepLoadsBuffer: true,
    evictFail: true,
    evictScrubs: true,
    freeResetsM2p: true,
    enableChecksAge: true,
    nominateNoFrameErrno: 'EAGAIN',
    evictRechecks: true,
  },
});

/**
 * `mem_event/4.2`: Xen 4.2–4.4 (40 bytes; 4.5's 296-byte layout is {@link MEM_EVENT_4_5}): slot claims, wait
 * queue, black-eye pause, DUMMY responses, all pending responses consumed per notification.
 *
 * @example
 * ```ts
 * const xen = new SimHypervisor({ abi: MEM_EVENT_4_2.id }); // a simulated Xen that speaks this ABI
 * MEM_EVENT_4_2.entryBytes; // bytes per ring entry
 * ```
 */
export const MEM_EVENT_4_2 = createMemEvent42Abi({
  generation: '4.2',
  xenReleases: '4.2–4.4',
  flagNames: {
    ...MEM_EVENT_41_FLAGS,
    EVICT_FAIL: mem.MEM_EVENT_FLAG_EVICT_FAIL,
    FOREIGN: mem.MEM_EVENT_FLAG_FOREIGN,
    DUMMY: mem.MEM_EVENT_FLAG_DUMMY,
  },
  reasonNames: { ...MEM_EVENT_41_REASONS, SINGLESTEP: mem.MEM_EVENT_REASON_SINGLESTEP, MSR: mem.MEM_EVENT_REASON_MSR },
  protocol: {
    ...XEN_41_PROTOCOL,
    codeBase: '4.2',
    nominateNoFrameErrno: 'EBUSY',
    evictRechecks: true,
    evictScrubs: true,
    freeResetsM2p: true,
    resume: 'all-pending',
    fullRing: 'claim',
    ringThreshold: 0,
    prepLoadsBuffer: true,
    evictFail: true,
    dummyResponses: true,
    p2mTypes: P2M_TYPES_XEN_4_2,
  },
});

/**
 * `mem_event/4.5`: Xen 4.5 (296 bytes: the 4.2 layout followed by `x86_regs`, so 8 ring slots), with 4.2's
 * protocol and the EMULATE flags.
 *
 * @example
 * ```ts
 * const xen = new SimHypervisor({ abi: MEM_EVENT_4_5.id }); // a simulated Xen that speaks this ABI
 * MEM_EVENT_4_5.ringSlots; // 8
 * ```
 */
export const MEM_EVENT_4_5 = createMemEvent42Abi({
  generation: '4.5',
  xenReleases: '4.5',
  entryBytes: 296,
  flagNames: { ...MEM_EVENT_4_2.flagNames, EMULATE: 1 << 5, EMULATE_NOWRITE: 1 << 6 },
  reasonNames: MEM_EVENT_4_2.reasonNames,
  protocol: MEM_EVENT_4_2.protocol,
});

/** vm_event flags by the interface version current when each was introduced (`xen/include/public/vm_event.h`). */
const VM_EVENT_FLAGS_BY_VERSION: ReadonlyArray<readonly [name: string, bit: number, sinceVersion: number]> = [
  ['VCPU_PAUSED', vm.VM_EVENT_FLAG_VCPU_PAUSED, 1],
  ['FOREIGN', vm.VM_EVENT_FLAG_FOREIGN, 1],
  ['EMULATE', vm.VM_EVENT_FLAG_EMULATE, 1],
  ['EMULATE_NOWRITE', vm.VM_EVENT_FLAG_EMULATE_NOWRITE, 1],
  ['TOGGLE_SINGLESTEP', vm.VM_EVENT_FLAG_TOGGLE_SINGLESTEP, 1],
  ['SET_EMUL_READ_DATA', vm.VM_EVENT_FLAG_SET_EMUL_READ_DATA, 1],
  ['DENY', vm.VM_EVENT_FLAG_DENY, 1],
  ['ALTERNATE_P2M', vm.VM_EVENT_FLAG_ALTERNATE_P2M, 1],
  ['SET_REGISTERS', vm.VM_EVENT_FLAG_SET_REGISTERS, 1], // 4.7, still version 1
  ['SET_EMUL_INSN_DATA', vm.VM_EVENT_FLAG_SET_EMUL_INSN_DATA, 2],
  ['GET_NEXT_INTERRUPT', vm.VM_EVENT_FLAG_GET_NEXT_INTERRUPT, 2], // 4.9, still version 2
  ['FAST_SINGLESTEP', vm.VM_EVENT_FLAG_FAST_SINGLESTEP, 6],
  ['NESTED_P2M', vm.VM_EVENT_FLAG_NESTED_P2M, 7],
  ['RESET_VMTRACE', vm.VM_EVENT_FLAG_RESET_VMTRACE, 7],
  ['RESET_FORK_STATE', vm.VM_EVENT_FLAG_RESET_FORK_STATE, 7],
  ['RESET_FORK_MEMORY', vm.VM_EVENT_FLAG_RESET_FORK_MEMORY, 7],
];

/** vm_event reasons by the interface version current when each was introduced (`xen/include/public/vm_event.h`). */
const VM_EVENT_REASONS_BY_VERSION: ReadonlyArray<readonly [name: string, value: number, sinceVersion: number]> = [
  ['UNKNOWN', vm.VM_EVENT_REASON_UNKNOWN, 1],
  ['MEM_ACCESS', vm.VM_EVENT_REASON_MEM_ACCESS, 1],
  ['MEM_SHARING', vm.VM_EVENT_REASON_MEM_SHARING, 1],
  ['MEM_PAGING', vm.VM_EVENT_REASON_MEM_PAGING, 1],
  ['WRITE_CTRLREG', vm.VM_EVENT_REASON_WRITE_CTRLREG, 1],
  ['MOV_TO_MSR', vm.VM_EVENT_REASON_MOV_TO_MSR, 1],
  ['SOFTWARE_BREAKPOINT', vm.VM_EVENT_REASON_SOFTWARE_BREAKPOINT, 1],
  ['SINGLESTEP', vm.VM_EVENT_REASON_SINGLESTEP, 1],
  ['GUEST_REQUEST', vm.VM_EVENT_REASON_GUEST_REQUEST, 1],
  ['DEBUG_EXCEPTION', vm.VM_EVENT_REASON_DEBUG_EXCEPTION, 2],
  ['CPUID', vm.VM_EVENT_REASON_CPUID, 2],
  ['PRIVILEGED_CALL', vm.VM_EVENT_REASON_PRIVILEGED_CALL, 2],
  ['INTERRUPT', vm.VM_EVENT_REASON_INTERRUPT, 2], // 4.9
  ['DESCRIPTOR_ACCESS', vm.VM_EVENT_REASON_DESCRIPTOR_ACCESS, 2], // 4.9
  ['EMUL_UNIMPLEMENTED', vm.VM_EVENT_REASON_EMUL_UNIMPLEMENTED, 2], // 4.10
  ['VMEXIT', vm.VM_EVENT_REASON_VMEXIT, 7],
  ['IO_INSTRUCTION', vm.VM_EVENT_REASON_IO_INSTRUCTION, 7],
];

function definedBy(version: number, table: ReadonlyArray<readonly [string, number, number]>): Record<string, number> {
  return Object.fromEntries(table.filter(([, , since]) => since <= version).map(([name, value]) => [name, value]));
}

function vmEventAbi(version: number, entryBytes: number, xenReleases: string) {
  return createVmEventAbi({
    version,
    entryBytes,
    xenReleases,
    flagNames: definedBy(version, VM_EVENT_FLAGS_BY_VERSION),
    reasonNames: definedBy(version, VM_EVENT_REASONS_BY_VERSION),
    protocol: {
      codeBase: '4.2',
      dropPage: true,
      prepNoMemoryErrno: 'ENOMEM',
      nominateNoFrameErrno: 'EBUSY',
      evictRechecks: true,
      nominateRefs: 1,
      foreignMapEnoent: 'paged-only',
      resume: 'all-pending',
      fullRing: 'claim',
      ringThreshold: 0,
      oneRequestPerGfn: false,
      prepLoadsBuffer: true,
      evictFail: true,
      dummyResponses: false,
      versionChecked: true,
      // 4.8 (4481335590): vm_event_resume acts only for a vcpu with vm_event_pause_count > 0.
      resumeNeedsVmEventPause: version >= 2,
      // 4.9 (7f8445d967): no black eye for a vm_event-paused vcpu, one wake per free slot. v2 spans
      // 4.8–4.10; the simulator models its 4.9–4.10 releases.
      blackEye: version >= 2 ? 'per-free-slot' : 'online-count',
      evictScrubs: true,
      freeResetsM2p: true,
      announcesAbi: version >= 5,
      enableChecksAge: false,
      p2mTypes: version >= 2 ? P2M_TYPES_XEN_4_8 : P2M_TYPES_XEN_4_6,
    },
  });
}

/**
 * `vm_event/v1`: Xen 4.6–4.7, 312 bytes.
 *
 * @example
 * ```ts
 * const xen = new SimHypervisor({ abi: VM_EVENT_V1.id }); // a simulated Xen that speaks this ABI
 * VM_EVENT_V1.entryBytes; // bytes per ring entry
 * ```
 */
export const VM_EVENT_V1 = vmEventAbi(1, 312, '4.6–4.7');
/**
 * `vm_event/v2`: Xen 4.8–4.10, 312 bytes; responses act only on vm_event-paused vcpus from here on.
 *
 * @example
 * ```ts
 * const xen = new SimHypervisor({ abi: VM_EVENT_V2.id }); // a simulated Xen that speaks this ABI
 * VM_EVENT_V2.entryBytes; // bytes per ring entry
 * ```
 */
export const VM_EVENT_V2 = vmEventAbi(2, 312, '4.8–4.10');
/**
 * `vm_event/v3`: Xen 4.11, 312 bytes (`mov_to_msr` gains old and new values).
 *
 * @example
 * ```ts
 * const xen = new SimHypervisor({ abi: VM_EVENT_V3.id }); // a simulated Xen that speaks this ABI
 * VM_EVENT_V3.entryBytes; // bytes per ring entry
 * ```
 */
export const VM_EVENT_V3 = vmEventAbi(3, 312, '4.11');
/**
 * `vm_event/v4`: Xen 4.12, 376 bytes (segment bases and selectors in `regs.x86`).
 *
 * @example
 * ```ts
 * const xen = new SimHypervisor({ abi: VM_EVENT_V4.id }); // a simulated Xen that speaks this ABI
 * VM_EVENT_V4.entryBytes; // bytes per ring entry
 * ```
 */
export const VM_EVENT_V4 = vmEventAbi(4, 376, '4.12');
/**
 * `vm_event/v5`: Xen 4.13, 384 bytes (`gdtr_base`, `gdtr_limit`).
 *
 * @example
 * ```ts
 * const xen = new SimHypervisor({ abi: VM_EVENT_V5.id }); // a simulated Xen that speaks this ABI
 * VM_EVENT_V5.entryBytes; // bytes per ring entry
 * ```
 */
export const VM_EVENT_V5 = vmEventAbi(5, 384, '4.13');
/**
 * `vm_event/v6`: Xen 4.14, 384 bytes (`pending_dbg`, FAST_SINGLESTEP).
 *
 * @example
 * ```ts
 * const xen = new SimHypervisor({ abi: VM_EVENT_V6.id }); // a simulated Xen that speaks this ABI
 * VM_EVENT_V6.entryBytes; // bytes per ring entry
 * ```
 */
export const VM_EVENT_V6 = vmEventAbi(6, 384, '4.14');
/**
 * `vm_event/v7`: Xen 4.15 to today (4.22), 400 bytes (`npt_base`, `vmtrace_pos`).
 *
 * @example
 * ```ts
 * const xen = new SimHypervisor({ abi: VM_EVENT_V7.id }); // a simulated Xen that speaks this ABI
 * VM_EVENT_V7.entryBytes; // bytes per ring entry
 * ```
 */
export const VM_EVENT_V7 = vmEventAbi(7, 400, '4.15–4.22');

/**
 * Every paging ABI Pagevisor ships, oldest first: the 4 mem_event ages and the 7 vm_event versions.
 *
 * @example
 * ```ts
 * import { BUILTIN_ABIS } from '@pagevisor/core';
 *
 * for (const abi of BUILTIN_ABIS) console.log(abi.id, abi.entryBytes, abi.ringSlots);
 * ```
 */
export const BUILTIN_ABIS: readonly PagingAbi[] = Object.freeze([
  MEM_EVENT_4_0,
  MEM_EVENT_AGE1,
  MEM_EVENT_AGE2,
  MEM_EVENT_AGE3,
  MEM_EVENT_4_2,
  MEM_EVENT_4_5,
  VM_EVENT_V1,
  VM_EVENT_V2,
  VM_EVENT_V3,
  VM_EVENT_V4,
  VM_EVENT_V5,
  VM_EVENT_V6,
  VM_EVENT_V7,
]);
