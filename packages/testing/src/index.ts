/**
 * Test and simulation tools for Pagevisor: a faithful simulated Xen (the embedded default hypervisor)
 * for every paging ABI, its invariant auditor, seeded randomness, trace workloads, and the conformance
 * suites plugin authors run on their own plugins.
 *
 * @remarks
 * Start with {@link SimHypervisor}: create a domain, enable paging with the ABI your pager speaks, and
 * drive the guest with {@link SimHypervisor.guestAccess} or a workload.
 *
 * @packageDocumentation
 */

// --- simulated hypervisor ---
export { SimHypervisor } from './sim/sim-hypervisor.js';
export type { AccessOutcome, DeadPagerOutcome, IntegrityCheck, SimHypervisorOptions, WatchdogAction } from './sim/sim-hypervisor-options.js';
export { SimDomain, MAX_SIM_PAGES, type SimDomainConfig } from './sim/sim-domain.js';
export { VcpuPauseState } from './sim/vcpu-pause-state.js';
export { DomainPaging, FOREIGN_CALLER, foreignCaller, type PagedDomain, type PagingCounters } from './sim/domain-paging.js';
export { MachineFrames } from './sim/machine-frames.js';
export type { ReadonlyTypedArray } from './sim/readonly-arrays.js';
export { hvmE820, type E820Entry } from './sim/e820.js';
export { fillPageContent, fillTextPage, isPageContent } from './sim/page-content.js';
export {
  DOMID_INVALID,
  DOMID_XEN,
  FrameState,
  GNTST_EAGAIN,
  HVM_LOW_HOLE,
  HVM_MMIO_HOLE,
  HVM_SPECIAL_PFN_BASE,
  INVALID_M2P_ENTRY,
  INVALID_MFN,
  P2mType,
  PAGE_BYTES,
  PageType,
  isGuestMemory,
  isGuestRam,
  isPagingType,
  type FrameStateValue,
  type P2mTypeValue,
  type SimP2mTypeName,
} from './sim/sim-constants.js';

// --- invariants ---
export { InvariantAuditor } from './sim/invariant-auditor.js';
export { InvariantViolation, type ViolationSite } from './sim/invariant-violation.js';

// --- randomness ---
export { SeededRandom } from './sim/seeded-random.js';

// --- workloads ---
export { GuestOp, type GuestOpValue, type Workload } from './workloads/workload.js';
export { loopWorkload, mixWorkload, phasedWorkload, scanWorkload, traceWorkload, zipfWorkload, type GeneratorOptions } from './workloads/generators.js';
export { GuestRunner, type GuestRunnerOptions, type RunResult } from './workloads/guest-runner.js';
export { readTrace, TRACE_FORMATS, type ReadTraceOptions, type Trace, type TraceFormat } from './workloads/read-trace.js';
export { denseIds, type DenseIds } from './workloads/dense-ids.js';
export { TraceError } from './workloads/trace-error.js';

// --- conformance suites ---
export { ConformanceFailure, runConformance, type ConformanceCase, type ConformanceResult } from './conformance/conformance-case.js';
export { policyConformanceCases, runPolicyConformance, type PolicyConformanceSubject } from './conformance/policy-conformance.js';
export { backendConformanceCases, runBackendConformance, type BackendConformanceSubject, type BackendGuest, type BackendUnderTest } from './conformance/backend-conformance.js';
export { runStoreConformance, storeConformanceCases, type StoreConformanceSubject, type StoreUnderTest } from './conformance/store-conformance.js';

// --- servers for tests ---
export { findRedisServer, startRedisCluster, startRedisServer, type RedisHandle } from './servers/redis-servers.js';

// --- stores that fail on purpose ---
export { FaultyStore, faultyStore, type StoreCall, type StoreFault } from './stores/faulty-store.js';

// --- store stress and crash checks ---
export {
  checkStressAcks,
  fillStressPage,
  pageHead,
  runStoreStress,
  stressHead,
  type StoreStressOptions,
  type StoreStressSummary,
  type StressCheck,
} from './stress/store-stress.js';

// --- PV guests ---
export { SimPv, type PageTable, type PvFaults, type PvGuest } from './sim/pv/sim-pv.js';
export { entryMfn, FOREIGN_FRAME_BIT, foreignFrame, IDENTITY_FRAME_BIT, identityFrame, INVALID_P2M_ENTRY, MAX_P2M_PFN, P2M_PER_PAGE, P2mTree, type FrameListList, type P2mPages } from './sim/pv/p2m-tree.js';

// The interleaving harness: guest and backend operations inside the pager's batches, from a seed.
export { runInterleaved, type InterleaveOptions, type InterleaveProblem, type InterleaveResult } from './interleave/interleave-run.js';
export { INTERLEAVE_OPS, formatSchedule, parseSchedule, seededSchedule, type InterleaveAction, type InterleaveOp, type ScheduleOptions } from './interleave/interleave-schedule.js';
export { InterleavedPort, RECENT_GFNS } from './interleave/interleaved-port.js';
export { InterleavedStore, interleavedStore } from './interleave/interleaved-store.js';
export { shrinkInterleaved, type ShrinkOptions } from './interleave/shrink-schedule.js';

// --- migration between simulated hosts ---
export { migrate, type MigrateOptions, type MigrationDestination, type MigrationMode, type MigrationReport, type MigrationSource } from './migration/migrate.js';
export type { PostcopyFigures } from './migration/postcopy-phase.js';
export type { PagedTransfer } from './migration/migration-sender.js';
export { guestVerdict, type GuestVerdict } from './migration/guest-verdict.js';
export { migrationFigures, type MigrationFigures, type PostcopyFiguresMs } from './migration/migration-figures.js';
export { localMigration, type LocalMigrationOptions, type LocalMove } from './migration/local-migration.js';
