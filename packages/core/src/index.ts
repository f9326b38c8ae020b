/**
 * The core of Pagevisor: versioned paging ABIs (Xen's mem_event ages and vm_event versions) with
 * byte-exact codecs, ABI negotiation, the `io/ring.h` shared ring they travel on, the hypervisor port,
 * and the pager engine with its plugin contracts (victim policies, page stores).
 *
 * @remarks
 * Start with {@link BUILTIN_ABIS} and {@link createDefaultAbiRegistry} to pick an ABI, then
 * {@link SharedRing}, {@link FrontRing} (the hypervisor's end) and {@link BackRing} (the pager's end).
 *
 * @packageDocumentation
 */

// tsyringe needs the Reflect metadata API before any decorated class is evaluated.
import 'reflect-metadata';

// --- errors ---
export { PagevisorError, type PagevisorErrorOptions } from './errors/pagevisor-error.js';
export { isPagevisorError, type PagevisorErrorByCode, type PagevisorErrorCode } from './errors/is-pagevisor-error.js';
export { AbiError, type AbiErrorCode, type AbiErrorDetails } from './errors/abi-error.js';
export { RingError, type RingErrorCode, type RingErrorOptions } from './errors/ring-error.js';
export { HypervisorError, type Errno, type HypervisorErrorDetails } from './errors/hypervisor-error.js';
export { ConfigError } from './errors/config-error.js';
export { PolicyError } from './errors/policy-error.js';
export { OfflineError, type OfflineErrorCode } from './errors/offline-error.js';
export { PagerError, type PagerErrorCode } from './errors/pager-error.js';
export { StoreError, type StoreErrorCode } from './errors/store-error.js';

// --- the pager ---
export { Pager, type MetadataBytes } from './pager/pager.js';
export { createPager, type CreatePagerCommon, type CreatePagerOnBackend, type CreatePagerOnXen, type CreatePagerOptions } from './pager/create-pager.js';
export { resolvePagerConfig, type PagerConfig, type ResolvedPagerConfig } from './pager/pager-config.js';
export type {
  EvictBatchEvent,
  EvictFailedEvent,
  EvictFailReason,
  PageEvent,
  PageInBatchEvent,
  PageInNoMemoryEvent,
  PagerEvent,
  PagerEventType,
  PagerStartedEvent,
  PagerStoppedEvent,
  StoreReadFailedEvent,
  StoreWriteFailedEvent,
  TargetChangedEvent,
} from './pager/pager-events.js';
export type { PagerStats } from './pager/pager-stats.js';
export type { StopReport } from './pager/stop-report.js';
export { systemClock, type Clock } from './pager/clock.js';
export { parseSize } from './config/parse-size.js';

// --- plugins and dependency injection ---
export type { HostPlugin, PagevisorPlugin, PluginContext } from './plugin/pagevisor-plugin.js';
export type { PluginContainer } from './plugin/plugin-container.js';
export type { PolicyContext, PolicyFactory, VictimPolicy } from './policy/victim-policy.js';
export { STORE_PAGE_BYTES, type PageStore, type PageStoreStats } from './store/page-store.js';
export { StoreBase, recordLength } from './store/store-base.js';
export { token, type Token } from './di/token.js';
export { PAGE_BYTES } from './page-bytes.js';
export { ABI_REGISTRY, CLOCK, HYPERVISOR, OFFLINE_HANDLERS, PAGE_STORE, PAGER_CONFIG, PAGING_BACKEND, VICTIM_POLICY } from './di/tokens.js';

// --- the paging backend port, and the Xen backend ---
export {
  EVICT_DONE,
  EVICT_REFUSED,
  EVICT_SKIP,
  EVICT_TRY,
  FAULT_FOREIGN,
  FAULT_READ,
  FAULT_WRITE,
  PAGE_IN_GONE,
  PAGE_IN_REQUESTED,
  PAGE_REMOVED,
  POPULATED,
  POPULATE_GONE,
  POPULATE_NO_MEMORY,
  type BackendCapabilities,
  type BackendInfo,
  type FaultBatch,
  type PagingBackend,
} from './backend/paging-backend.js';
export { XenPagingBackend, type XenPagingBackendOptions } from './xen/xen-paging-backend.js';

// --- the hypervisor port ---
export type { DomainInfo, ForeignMapping, FrameOwner, HypervisorPort, PagingChannel } from './hypervisor/hypervisor-port.js';
export { PTE_ACCESSED, PTE_DIRTY, PTE_PRESENT, type PteLocation, type PvDomainInfo, type PvPort } from './hypervisor/pv-port.js';

// --- paging ABIs ---
export type { AbiFamily, PagingAbi } from './abi/paging-abi.js';
export type {
  MemEvent40Message,
  MemEvent41Message,
  MemEvent42Message,
  PagingMessage,
  PagingMessageBase,
  VmEventMessage,
} from './abi/paging-message.js';
export type { PagingProtocol } from './abi/paging-protocol.js';
export type { FieldLayout } from './abi/field-layout.js';
export { ByteView } from './abi/byte-view.js';
export {
  BUILTIN_ABIS,
  MEM_EVENT_4_0,
  MEM_EVENT_4_2,
  MEM_EVENT_4_5,
  MEM_EVENT_AGE1,
  MEM_EVENT_AGE2,
  MEM_EVENT_AGE3,
  VM_EVENT_V1,
  VM_EVENT_V2,
  VM_EVENT_V3,
  VM_EVENT_V4,
  VM_EVENT_V5,
  VM_EVENT_V6,
  VM_EVENT_V7,
} from './abi/builtin-abis.js';
export { createMemEvent40Abi, createMemEvent41Abi, createMemEvent42Abi, type MemEventAbiSpec } from './abi/create-mem-event-abi.js';
export { createVmEventAbi, type VmEventAbiSpec } from './abi/create-vm-event-abi.js';
export { AbiRegistry, type NegotiatedAbi } from './abi/abi-registry.js';
export { createDefaultAbiRegistry } from './abi/create-default-abi-registry.js';
export { createVmEventVersionAdapter, type AbiAdapter } from './abi/abi-adapter.js';
export {
  P2M_TYPES_XEN_4_0,
  P2M_TYPES_XEN_4_1,
  P2M_TYPES_XEN_4_2,
  P2M_TYPES_XEN_4_6,
  P2M_TYPES_XEN_4_8,
  type P2mTypeName,
  type P2mTypeNumbering,
} from './abi/p2m-types.js';

// --- flag, type and reason constants (Xen's names) ---
export {
  MEM_EVENT_FLAG_DOM_PAUSED,
  MEM_EVENT_FLAG_DROP_PAGE,
  MEM_EVENT_FLAG_DUMMY,
  MEM_EVENT_FLAG_EVICT_FAIL,
  MEM_EVENT_FLAG_FOREIGN,
  MEM_EVENT_FLAG_OUT_OF_MEM,
  MEM_EVENT_FLAG_VCPU_PAUSED,
  MEM_EVENT_REASON_CR0,
  MEM_EVENT_REASON_CR3,
  MEM_EVENT_REASON_CR4,
  MEM_EVENT_REASON_INT3,
  MEM_EVENT_REASON_MSR,
  MEM_EVENT_REASON_SINGLESTEP,
  MEM_EVENT_REASON_UNKNOWN,
  MEM_EVENT_REASON_VIOLATION,
  MEM_EVENT_TYPE_ACCESS,
  MEM_EVENT_TYPE_PAGING,
  MEM_EVENT_TYPE_SHARED,
} from './abi/mem-event-constants.js';
export {
  MEM_PAGING_DROP_PAGE,
  MEM_PAGING_EVICT_FAIL,
  VM_EVENT_FLAG_ALTERNATE_P2M,
  VM_EVENT_FLAG_DENY,
  VM_EVENT_FLAG_EMULATE,
  VM_EVENT_FLAG_EMULATE_NOWRITE,
  VM_EVENT_FLAG_FAST_SINGLESTEP,
  VM_EVENT_FLAG_FOREIGN,
  VM_EVENT_FLAG_GET_NEXT_INTERRUPT,
  VM_EVENT_FLAG_NESTED_P2M,
  VM_EVENT_FLAG_RESET_FORK_MEMORY,
  VM_EVENT_FLAG_RESET_FORK_STATE,
  VM_EVENT_FLAG_RESET_VMTRACE,
  VM_EVENT_FLAG_SET_EMUL_INSN_DATA,
  VM_EVENT_FLAG_SET_EMUL_READ_DATA,
  VM_EVENT_FLAG_SET_REGISTERS,
  VM_EVENT_FLAG_TOGGLE_SINGLESTEP,
  VM_EVENT_FLAG_VCPU_PAUSED,
  VM_EVENT_REASON_CPUID,
  VM_EVENT_REASON_DEBUG_EXCEPTION,
  VM_EVENT_REASON_DESCRIPTOR_ACCESS,
  VM_EVENT_REASON_EMUL_UNIMPLEMENTED,
  VM_EVENT_REASON_GUEST_REQUEST,
  VM_EVENT_REASON_INTERRUPT,
  VM_EVENT_REASON_IO_INSTRUCTION,
  VM_EVENT_REASON_MEM_ACCESS,
  VM_EVENT_REASON_MEM_PAGING,
  VM_EVENT_REASON_MEM_SHARING,
  VM_EVENT_REASON_MOV_TO_MSR,
  VM_EVENT_REASON_PRIVILEGED_CALL,
  VM_EVENT_REASON_SINGLESTEP,
  VM_EVENT_REASON_SOFTWARE_BREAKPOINT,
  VM_EVENT_REASON_UNKNOWN,
  VM_EVENT_REASON_VMEXIT,
  VM_EVENT_REASON_WRITE_CTRLREG,
} from './abi/vm-event-constants.js';

// --- shared ring ---
export { RING_HEADER_BYTES, RING_PAGE_BYTES, ringSlotsFor } from './ring/ring-geometry.js';
export { ringDistance, ringNotifyNeeded } from './ring/ring-index.js';
export { SharedRing } from './ring/shared-ring.js';
export { FrontRing } from './ring/front-ring.js';
export { BackRing } from './ring/back-ring.js';
export { RingSlotAccounting, type RingProducer } from './ring/ring-slot-accounting.js';

// --- page offlining ---
export { OfflineManager, createOfflineManager, type CreateOfflineManagerOptions, type OfflineReport } from './offline/offline-manager.js';
export type { OfflineHandler, OfflineOutcome, OfflineRequest, OfflineResult } from './offline/offline-handler.js';
export { offlineOwner, PG_OFFLINE, PG_OFFLINE_QUERY, queriedState, type PageOfflineOp } from './offline/page-offline-status.js';
