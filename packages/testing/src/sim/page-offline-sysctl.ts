import { HypervisorError, PG_OFFLINE, PG_OFFLINE_QUERY, type PageOfflineOp } from '@pagevisor/core';
import type { MachineFrames } from './machine-frames.js';
import { DOMID_INVALID, DOMID_XEN, FrameState } from './sim-constants.js';

/**
 * `XEN_SYSCTL_page_offline_op` for one frame, with Xen 4.2's rules (RELEASE-4.2.0
 * `xen/common/page_alloc.c`: `offline_page`, `online_page`, `query_page_offline`). `crashOwner` is called
 * for a broken frame a domain owns, which Xen answers with `AGAIN` alone and a crashed domain. The sysctl
 * calls `offline_page` with `broken` 0, so its statuses never carry `BROKEN`. Xen's fixed frames (its
 * text, `is_xen_fixed_mfn`: `EPERM`) are not modelled; a Xen-heap frame goes offline pending.
 */
export function pageOfflineSysctl(frames: MachineFrames, op: PageOfflineOp, mfn: number, crashOwner: (domid: number) => void): number {
  if (!Number.isInteger(mfn) || mfn < 0 || mfn >= frames.size) throw new HypervisorError('EINVAL', `mfn 0x${mfn.toString(16)} is not a valid frame`);
  const state = frames.tables.state[mfn]!;
  const broken = frames.tables.broken[mfn] === 1;
  const owner = frames.tables.owner[mfn]!;
  switch (op) {
    case 'offline': {
      // page_get_owner: a Xen-heap frame has no owning domain.
      const domain = owner !== DOMID_INVALID && owner !== DOMID_XEN;
      if (broken && domain) {
        crashOwner(owner);
        return PG_OFFLINE.AGAIN;
      }
      if (state === FrameState.offlined) return PG_OFFLINE.OFFLINED;
      if (state === FrameState.free) {
        frames.tables.state[mfn] = FrameState.offlined; // reserved: the allocator skips it from now on
        return PG_OFFLINE.OFFLINED;
      }
      frames.tables.state[mfn] = FrameState.offlining; // offlined when its owner frees it
      if (domain) return PG_OFFLINE.OWNED | PG_OFFLINE.PENDING | (owner << PG_OFFLINE.OWNER_SHIFT);
      if (owner === DOMID_XEN) return PG_OFFLINE.XENPAGE | PG_OFFLINE.PENDING | (DOMID_XEN << PG_OFFLINE.OWNER_SHIFT);
      return PG_OFFLINE.ANONYMOUS | PG_OFFLINE.FAILED | (DOMID_INVALID << PG_OFFLINE.OWNER_SHIFT);
    }
    case 'online':
      // Xen also fills FAILED | BROKEN into the status array.
      if (broken) throw new HypervisorError('EINVAL', `mfn 0x${mfn.toString(16)} is broken: it stays offline`);
      if (state === FrameState.offlined) frames.online(mfn);
      else if (state === FrameState.offlining) frames.tables.state[mfn] = FrameState.inuse;
      return PG_OFFLINE.OFFLINED; // PG_ONLINE_ONLINED
    case 'query':
      return (
        (state === FrameState.offlined ? PG_OFFLINE_QUERY.OFFLINED : 0) |
        (state === FrameState.offlining ? PG_OFFLINE_QUERY.OFFLINE_PENDING : 0) |
        (broken ? PG_OFFLINE_QUERY.BROKEN : 0) |
        (state === FrameState.inuse || state === FrameState.free ? PG_OFFLINE_QUERY.ONLINE : 0)
      );
  }
}
