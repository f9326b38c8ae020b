import type { NegotiatedAbi } from '../../abi/abi-registry.js';
import { pagingFlagTest } from '../../abi/paging-flag-test.js';
import type { PagingMessage, VmEventMessage } from '../../abi/paging-message.js';
import { AbiError } from '../../errors/abi-error.js';
import type { FaultBatch } from '../../backend/paging-backend.js';
import { FAULT_FOREIGN, PAGE_REMOVED } from '../../backend/paging-backend.js';
import type { BackRing } from '../../ring/back-ring.js';

/**
 * The requests a Xen backend has read off the ring and not answered yet, one table entry per request:
 * the entry's index is the fault record's id. At most a ring's worth can be outstanding (a slot frees
 * only when its response is consumed), so the table has one entry per ring slot and reuses its message
 * objects.
 */
export class XenRequestTable {
  /** Messages by id, in the pager's ABI. */
  private readonly entries: PagingMessage[];
  private readonly free: Uint32Array;
  private freeCount: number;
  /** Scratch for a drain, swapped into the table entry by entry. */
  private readonly drained: PagingMessage[] = [];
  private readonly isDrop: (message: PagingMessage) => boolean;
  private readonly hasEvictFail: (message: PagingMessage) => boolean;
  private readonly foreignBit: number;

  constructor(
    private readonly negotiated: NegotiatedAbi,
    private readonly back: BackRing,
  ) {
    const { wire, pager } = negotiated;
    const slots = wire.ringSlots;
    this.entries = Array.from({ length: slots }, () => pager.create());
    this.free = new Uint32Array(slots);
    for (let i = 0; i < slots; i++) this.free[i] = slots - 1 - i;
    this.freeCount = slots;
    // Bits by the ABI's own names: Xen 4.0 used bits 1 and 2 for DOM_PAUSED and OUT_OF_MEM.
    this.isDrop = pagingFlagTest(wire, 'DROP_PAGE');
    this.hasEvictFail = pagingFlagTest(wire, 'EVICT_FAIL');
    this.foreignBit = wire.flagNames.FOREIGN ?? 0;
  }

  /**
   * Drains up to a ring's worth of requests into the table and describes them in `into`.
   *
   * @throws {@link AbiError} `ABI_MISMATCH` for a vm_event request of another interface version: the
   * hypervisor speaks another ABI than the one configured first (a Xen before 4.13 cannot say which it
   * speaks), and would drop every response as `vm_event_resume` drops those of another version.
   */
  drain(into: FaultBatch): number {
    const { wire, adapter } = this.negotiated;
    const drained = this.drained;
    const n = this.back.drainRequests(wire, drained, Math.min(wire.ringSlots, this.freeCount), false);
    if (wire.family === 'vm_event') {
      const version = Number(wire.generation);
      for (let i = 0; i < n; i++) {
        const seen = (drained[i] as VmEventMessage).version;
        if (seen !== version) throw versionMismatch(wire.id, seen);
      }
    }
    for (let i = 0; i < n; i++) {
      const id = this.free[--this.freeCount]!;
      const message = adapter === undefined ? drained[i]! : adapter.fromWire(drained[i]!);
      // Swap: the table keeps the request, the scratch pool gets the entry's old object back.
      drained[i] = this.entries[id]!;
      this.entries[id] = message;
      into.pages[i] = Math.min(message.gfn, 0xffff_ffff); // a gfn past 2^32 is past any page space
      into.ids[i] = id;
      into.who[i] = message.vcpuId;
      // Xen's paging requests do not say whether the access was a write.
      into.flags[i] = (this.isDrop(message) ? PAGE_REMOVED : 0) | ((message.flags & this.foreignBit) !== 0 ? FAULT_FOREIGN : 0);
    }
    return n;
  }

  /** The request of fault record `id`. */
  request(id: number): PagingMessage {
    return this.entries[id]!;
  }

  /** Whether the request of `id` carries EVICT_FAIL (nominated, never evicted: its frame is still there). */
  isEvictFail(id: number): boolean {
    return this.hasEvictFail(this.entries[id]!);
  }

  /** Whether the request of `id` is a DROP_PAGE. */
  isDropRequest(id: number): boolean {
    return this.isDrop(this.entries[id]!);
  }

  /** The entry of `id` is answered: it can take another request. */
  release(id: number): void {
    this.free[this.freeCount++] = id;
  }
}

function versionMismatch(abiId: string, seen: number): AbiError {
  return new AbiError(
    'ABI_MISMATCH',
    `the ring carries vm_event interface version ${seen}, but the pager speaks ${abiId}: this Xen cannot announce its version (XEN_VM_EVENT_GET_VERSION is Xen 4.13 on), so name its ABI first in the pager's abi setting (vm_event/v${seen})`,
    { abi: abiId, field: 'version', offset: 0, value: seen },
  );
}
