import type { AbiRegistry } from '@pagevisor/core';

/**
 * How to build a simulated hypervisor.
 *
 * @example
 * ```ts
 * new SimHypervisor({ abi: 'mem_event/age1', machineFrames: 1 << 16, audit: true, xenBugs: false });
 * ```
 */
export interface SimHypervisorOptions {
  /** The paging ABI this "Xen" speaks and announces (default `vm_event/v7`, Xen 4.15+). */
  readonly abi?: string;
  /** Machine frames (default 262144: a 1 GiB machine). Domains draw their RAM from these. */
  readonly machineFrames?: number;
  /** Check the invariants after every operation and throw on the first violation (default false). */
  readonly audit?: boolean;
  /** The ABIs `abi` is looked up in (default {@link @pagevisor/core!createDefaultAbiRegistry | createDefaultAbiRegistry}). */
  readonly registry?: AbiRegistry;
  /**
   * Reproduce Xen's known paging bugs instead of the fixes (default false): Xen 4.1's evict does not
   * re-check references, so a page mapped after nomination is evicted under its mapper and the mapper's
   * writes are lost (seed 003), nor the type; on age 1 (Xen 4.1.0) the freed frame's M2P entry stays
   * stale (seed 000 patches 6-7; from 4515d7bd13, in 4.2.0, freeing a frame resets it).
   */
  readonly xenBugs?: boolean;
  /**
   * What happens when vcpus wait on the pager and no response comes for `afterNs` of virtual time
   * (default: crash after 10 ms): `crash` crashes the domain deliberately; `resume` unpauses the vcpus
   * once (they fault again), and crashes it if the pager is still silent the next time.
   */
  readonly deadPager?: DeadPagerOutcome;
}

/**
 * The simulator's answer to a pager that stopped answering.
 *
 * @example
 * ```ts
 * const hv = new SimHypervisor({ deadPager: { afterNs: 5_000_000, outcome: 'resume' } });
 * ```
 */
export interface DeadPagerOutcome {
  /** Virtual nanoseconds without a response, while vcpus wait, before it acts. */
  readonly afterNs: number;
  /** `crash` the domain, or `resume` the vcpus once and crash the next time. */
  readonly outcome: 'crash' | 'resume';
}

/**
 * What {@link SimHypervisor.watchdog} did.
 *
 * @example
 * ```ts
 * const action: WatchdogAction = hv.watchdog(domid, nowNs); // 'none' | 'resumed' | 'crashed'
 * ```
 */
export type WatchdogAction = 'none' | 'resumed' | 'crashed';

/**
 * Result of {@link SimHypervisor.contentMismatches}.
 *
 * @example
 * ```ts
 * const { checked, mismatches } = hv.contentMismatches(domid);
 * ```
 */
export interface IntegrityCheck {
  /** gfns checked (every RAM gfn not ballooned out). */
  readonly checked: number;
  /** gfns whose content is not the version the guest last wrote (or that are still paged out). */
  readonly mismatches: number[];
}

/**
 * Outcome of a guest memory access: done, or the vcpu is now blocked and retries later.
 *
 * @example
 * ```ts
 * const outcome: AccessOutcome = hv.guestAccess(domid, 0, gfn, false); // 'done' or 'blocked'
 * ```
 */
export type AccessOutcome = 'done' | 'blocked';
