/**
 * The core of Pagevisor: the pager engine ({@link createPager}) with its plugin contracts (victim
 * policies, page stores), the backend-neutral port it drives ({@link PagingBackend}), and Xen as one
 * backend: {@link XenPagingBackend} over the hypervisor port, the versioned paging ABIs (mem_event
 * ages, vm_event versions) with byte-exact codecs, their negotiation, and the `io/ring.h` shared ring.
 *
 * @remarks
 * Start with {@link createPager}: a policy plugin, a store plugin, and either a Xen port and a domid or
 * any {@link PagingBackend}. Then `pager.start()`, `pager.events$` and `pager.stats$`, and
 * `pager.stop()`. Xen's wire protocol is below: {@link BUILTIN_ABIS}, {@link createDefaultAbiRegistry},
 * {@link SharedRing}, {@link FrontRing} and {@link BackRing}, and Xen's constants under {@link xen}.
 *
 * @packageDocumentation
 */

// tsyringe needs the Reflect metadata API before any decorated class is evaluated.
import 'reflect-metadata';

// --- the pager ---
export { createPager, type CreatePagerCommon, type CreatePagerOnBackend, type CreatePagerOnXen, type CreatePagerOptions } from './pager/create-pager.js';
export { Pager, type MetadataBytes } from './pager/pager.js';
export { resolvePagerConfig, type PagerConfig, type ResolvedPagerConfig } from './pager/pager-config.js';
export type {
  BatchEvictedEvent,
  PageEvictFailedEvent,
  EvictFailReason,
  PageEvent,
  BatchPagedInEvent,
  BatchDelayedEvent,
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
export { MigrationError, type MigrationErrorCode, type MigrationErrorOptions } from './errors/migration-error.js';

// --- the paging backend port, and the Xen backend ---
export {
  EVICT_DONE,
  EVICT_REFUSED,
  EVICT_SKIP,
  EVICT_TRY,
  EVICT_ZERO,
  FAULT_ABSENT,
  FAULT_FOREIGN,
  FAULT_READ,
  FAULT_WRITE,
  PAGE_IN_GONE,
  PAGE_IN_REQUESTED,
  PAGE_PREFETCHED,
  PAGE_REMOVED,
  POPULATED,
  POPULATE_GONE,
  POPULATE_NO_MEMORY,
  type AccessReporting,
  type BackendCapabilities,
  type BackendInfo,
  type FaultBatch,
  type PagingBackend,
} from './backend/paging-backend.js';
export { XenPagingBackend, xenMemoryName, type XenPagingBackendOptions } from './xen/xen-paging-backend.js';

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
export { pagingFlagTest } from './abi/paging-flag-test.js';
export { createDefaultAbiRegistry } from './abi/create-default-abi-registry.js';
export { createVmEventVersionAdapter, type AbiAdapter } from './abi/abi-adapter.js';
export {
  P2M_TYPES_XEN_4_0,
  P2M_TYPES_XEN_4_1,
  P2M_TYPES_XEN_4_2,
  P2M_TYPES_XEN_4_6,
  P2M_TYPES_XEN_4_8,
  numberedInOrder,
  type P2mTypeName,
  type P2mTypeNumbering,
} from './abi/p2m-types.js';

// --- flag, type and reason constants (Xen's names), as one namespace ---
/**
 * Xen's flag, type and reason constants of the paging ring, under Xen's names
 * (`MEM_EVENT_FLAG_VCPU_PAUSED`, `VM_EVENT_REASON_MEM_PAGING`, `MEM_PAGING_DROP_PAGE`, ...).
 *
 * @example
 * ```ts
 * import { xen } from '@pagevisor/core';
 *
 * if ((message.flags & xen.VM_EVENT_FLAG_VCPU_PAUSED) !== 0) console.log('the vcpu waits for the answer');
 * ```
 */
export * as xen from './abi/xen-constants.js';

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

// --- migration stream ---
export { MIGRATION_BATCH_PAGES, MIGRATION_PAGE, MIGRATION_VERSION } from './migration/migration-stream-format.js';
export type { EndRecord, MigrationHeader, MigrationRecord, PageDataRecord, PagedDataRecord, PagedRefRecord, PageRequestRecord, PostcopyMissingRecord, RoundRecord, StoreRefRecord } from './migration/migration-records.js';
export { encodeMigrationHeader, encodeMigrationRecord } from './migration/migration-stream-writer.js';
export { MigrationStreamReader } from './migration/migration-stream-reader.js';

// --- worker threads ---
export { moduleWorker } from './workers/module-worker.js';
