import type { P2mTypeNumbering } from './p2m-types.js';

/**
 * The protocol behaviour that goes with a paging ABI: what the hypervisor does, beyond the bytes.
 *
 * @remarks
 * The simulator enforces these rules and the pager reads them where its behaviour must differ by age.
 * Each field names the Xen code it comes from (see also docs/guides/abi.md).
 *
 * @example
 * ```ts
 * if (abi.protocol.prepLoadsBuffer) hypervisor.prep(domid, gfn, page);
 * ```
 */
export interface PagingProtocol {
  /**
   * The hypervisor code the paging operations follow: `4.0` (RELEASE-4.0.0 `p2m.c` and
   * `mem_event.c`), `4.1` (RELEASE-4.1.0, and the trees built on it: ages 1 to 3) or `4.2` (4.2.0 on).
   * It decides enable's checks (4.0: none; 4.1: Intel EPT only; 4.2: HAP, IOMMU, the ring in a special
   * page), what nominate may page (to 4.1 `ram_rw` only, no type reference) and its errno for a
   * refusal (`EAGAIN`, 4.2 on `EBUSY`), populate's rules, and prep's (to 4.1 `paging_in`, made `ram_rw`
   * by the resume; 4.2 `ram_rw` at once).
   */
  readonly codeBase: '4.0' | '4.1' | '4.2';
  /**
   * Whether removing a paging gfn from the guest (a balloon) tells the pager with a DROP_PAGE request
   * (`p2m_mem_paging_drop_page`, 4.1 on). Xen 4.0's `guest_remove_page` refused a gfn without a frame
   * ("page number invalid": the gfn stays paged) and removed one with a frame without a word.
   */
  readonly dropPage: boolean;
  /**
   * The errno of a prep that found no free memory: `ENOMEM` (4.1 on), or `EINVAL` (Xen 4.0's
   * `p2m_mem_paging_prep`, whose only failure it is).
   */
  readonly prepNoMemoryErrno: 'ENOMEM' | 'EINVAL';
  /** Nominate's errno for a gfn without a valid frame: `EINVAL` (Xen 4.1), `EAGAIN` (SUSE age 3), `EBUSY` (4.2 on). */
  readonly nominateNoFrameErrno: 'EINVAL' | 'EAGAIN' | 'EBUSY';
  /**
   * Whether evict requires `paging_out` and re-checks the page's references, refusing with `EBUSY` a
   * page mapped since its nomination (4.2 on, 2d1f750000 "xenpaging: handle evict failures"; SUSE age 3).
   * Xen 4.1's evict rejected only the paged types (the seed 003 race).
   */
  readonly evictRechecks: boolean;
  /**
   * References `nominate` requires besides `PGC_allocated`: 1 (the guest's; Xen 4.1 and 4.2+
   * `p2m_mem_paging_nominate`) or 2 (guest + the pager's mapping taken first: seed 001 "map gfn before
   * nomination", age 2, and SUSE age 3).
   */
  readonly nominateRefs: 1 | 2;
  /**
   * Which foreign mappings of a paging gfn fail with `ENOENT` (after starting a populate) so the caller
   * retries: `paged-only` (Xen 4.1 and 4.2+ `do_mmu_update`: a `paging_out` page still maps, taking a
   * reference that later makes evict fail) or `any-paging-state` (seed 001, age 2 and SUSE age 3: the
   * pager maps before nominating, so every paging state can refuse).
   */
  readonly foreignMapEnoent: 'paged-only' | 'any-paging-state';
  /**
   * How responses are consumed: `one-per-call` (Xen 4.1 domctl `PAGING_RESUME`) or `all-pending`
   * (4.2+ event-channel callback `p2m_mem_paging_resume` / `vm_event_resume`).
   */
  readonly resume: 'one-per-call' | 'all-pending';
  /**
   * Full-ring handling: `threshold` (`mem_event_check_ring`: "full" below `ringThreshold` free slots,
   * guest vcpus sleep: ages 1 and 2) or `claim` (4.2+ `mem_event_claim_slot`: counted target/foreign
   * producers, a wait queue for guest vcpus, black-eye pause; SUSE age 3 claims the same way, without
   * the black eye: its faulting vcpus wait on their gfn).
   */
  readonly fullRing: 'threshold' | 'claim';
  /** Free slots below which a `threshold` ring counts as full (`MEM_EVENT_RING_THRESHOLD` = 4); 0 for `claim`. */
  readonly ringThreshold: number;
  /**
   * SUSE age 3: one request per gfn, faulting vcpus wait on a per-gfn wait queue, and a populate of a
   * still-mapped `paging_out` page restores `ram_rw` without a request.
   */
  readonly oneRequestPerGfn: boolean;
  /**
   * Whether `prep` can load the page content from a pager buffer (26a5c829c8: age 2, SUSE age 3 and
   * 4.2+). Without it (Xen 4.1, age 1) prep only allocates a frame and the pager writes the content
   * through a writable foreign mapping.
   */
  readonly prepLoadsBuffer: boolean;
  /** Whether requests carry an `EVICT_FAIL` flag for gfns nominated but never evicted. */
  readonly evictFail: boolean;
  /** Whether responses flagged `DUMMY` are skipped (4.2–4.4, 4803908397). */
  readonly dummyResponses: boolean;
  /** Whether Xen drops responses whose `version` differs from its own (`vm_event_resume`). */
  readonly versionChecked: boolean;
  /**
   * Whether a response is applied only if its vcpu is vm_event-paused (4.8+, 4481335590). A DROP_PAGE or
   * foreign-triggered response then does not run `p2m_mem_paging_resume`.
   */
  readonly resumeNeedsVmEventPause: boolean;
  /**
   * How the claim era's "black eye" pauses guest vcpus when fewer slots than vcpus are free, and wakes
   * them. `online-count` (mem_event 4.2 to vm_event 4.8, `mem_event_wake_blocked`): every requesting
   * vcpu is paused, and blocked vcpus are woken only while fewer vcpus are online than slots are free,
   * so with more vcpus than ring slots the guest can lock. `per-free-slot` (4.9+, 7f8445d967): a vcpu
   * already vm_event-paused is not black-eyed, and one blocked vcpu is woken per free slot. Unused by
   * the threshold era.
   */
  readonly blackEye: 'online-count' | 'per-free-slot';
  /**
   * Whether evict scrubs the frame it frees (`scrub_one_page` in `p2m_mem_paging_evict`, from 62530296c7,
   * October 2011: age 2 on). Xen
   * 4.1's did not, so the guest's data stayed in a free frame the next allocation handed out; its
   * xenpaging cleared the page through a writable mapping before evicting, and so does the pager.
   */
  readonly evictScrubs: boolean;
  /**
   * Whether freeing a frame resets its M2P entry (`free_heap_pages`, 4515d7bd13, June 2011, released in
   * 4.2.0: age 2 on). Xen 4.1.0 left the entry naming the evicted gfn (seed 000 patches 6-7).
   */
  readonly freeResetsM2p: boolean;
  /**
   * Whether a pager can ask which ABI the hypervisor speaks before enabling: `XEN_VM_EVENT_GET_VERSION`
   * (d48e183607, first released in Xen 4.13: vm_event v5 on). Earlier Xen has no such query.
   */
  readonly announcesAbi: boolean;
  /**
   * Whether enable refuses a pager of another paging age with `ENOEXEC` ("Expected paging age %lx, got
   * %lx"): SUSE's `MEM_EVENT_PAGING_AGE` check in `mem_event_enable`, age 3 only. No upstream Xen
   * compares: there a pager of another ABI reads entries it cannot decode.
   */
  readonly enableChecksAge: boolean;
  /** The `p2m_type_t` numbering the `p2mt` field uses. */
  readonly p2mTypes: P2mTypeNumbering;
}
