/**
 * Victim policies for the Pagevisor pager, as plugins: `xenpaging` (the default, faithful to
 * policy_default.c), `adaptive` (Pagevisor's own: follows the best of several experts),
 * `access-timestamp` (seed 003), the classic policies (LRU, FIFO, MRU, CLOCK with an N-bit counter,
 * SIEVE, ARC, S3-FIFO, Belady, random) and peer policies, other caches' algorithms (LIRS, 2Q, SLRU,
 * SFIFO, LP-SFIFO, QD-LP, S3-FIFOd, S3-LRU, SR-LRU, LFU, CR-LFU, GDSF, W-TinyLFU, Hyperbolic, LeCaR,
 * CACHEUS, FIFO-Merge, CAR, CLOCK-Pro, LHD), matching libCacheSim in trace simulation where it has the algorithm
 * (exactly, or in distribution for those that hash or sample).
 *
 * @packageDocumentation
 */

// --- policies ---
export { XenpagingPolicy, xenpaging, XENPAGING_DEFAULT_MRU_SIZE, type XenpagingOptions } from './xenpaging-policy.js';
export { CLASSIC_POLICIES, type PolicyRuns } from './classic/policy-registry.js';
export { createPolicy, isSimulatablePolicy, LIVE_POLICIES, policyNamed, policyRuns, POLICY_NAMES, SIMULATABLE_POLICIES, SIMULATION_ONLY_POLICIES, type PolicyName } from './policy-registry.js';
export { AdaptivePolicy, adaptive, type AdaptiveOptions } from './adaptive/adaptive-policy.js';
export { ShadowCache } from './adaptive/shadow-cache.js';
export { AccessTimestampPolicy, accessTimestamp, type AccessTimestampOptions } from './access-timestamp-policy.js';
export { LruPolicy, FifoPolicy, MruPolicy, ClockPolicy, SievePolicy } from './classic/list-policies.js';
export { ArcPolicy } from './classic/arc-policy.js';
export { S3FifoPolicy } from './classic/s3fifo-policy.js';
export { BeladyPolicy } from './classic/belady-policy.js';
export { RandomPolicy } from './classic/random-policy.js';
export { TrackedPolicy } from './classic/tracked-policy.js';
export { PEER_POLICIES } from './peers/peer-policy-table.js';
export { CrLfuPolicy, LfuPolicy } from './peers/lfu-policy.js';
export { TwoQPolicy } from './peers/twoq-policy.js';
export { SrLruPolicy } from './peers/sr-lru-policy.js';
export { QdlpPolicy } from './peers/qdlp-policy.js';
export { S3FifodPolicy } from './peers/s3fifod-policy.js';
export { S3LruPolicy } from './peers/s3lru-policy.js';
export { LpSfifoPolicy } from './peers/lp-sfifo-policy.js';
export { GdsfPolicy } from './peers/gdsf-policy.js';
export { LirsPolicy } from './peers/lirs-policy.js';
export { HyperbolicPolicy } from './peers/hyperbolic-policy.js';
export { LhdPolicy } from './peers/lhd-policy.js';
export { LeCaRPolicy } from './peers/lecar-policy.js';
export { FifoMergePolicy } from './peers/fifo-merge-policy.js';
export { ClockProPolicy } from './peers/clockpro-policy.js';
export { CarPolicy } from './peers/car-policy.js';
export { CacheusPolicy } from './peers/cacheus-policy.js';
export { WTinyLfuPolicy, type WTinyLfuOptions } from './peers/wtinylfu-policy.js';
export { SfifoPolicy, SlruPolicy } from './peers/slru-policy.js';

// --- trace simulation ---
export { nextUses, simulateTrace, type SimulationResult } from './simulate/simulate-trace.js';
export { simulateCells, type SimulateCellsOptions, type SimulationCell } from './simulate/simulate-cells.js';
export { lruMissRatioCurve, shardsMissRatioCurve, type MissRatioCurve } from './mrc/miss-ratio-curve.js';
