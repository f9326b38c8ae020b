import { HypervisorError, PG_OFFLINE, PG_OFFLINE_QUERY, type PageOfflineOp } from '@pagevisor/core';
import type { MachineFrames } from './machine-frames.js';
import { DOMID_INVALID, DOMID_XEN, FrameState } from './sim-constants.js';

/**
 * `XEN_SYSCTL_page_offline_op` for one frame (reference §5: `offline_page`, `online_page`,
 * `query_page_offline`, Xen 4.2 rules). `crashOwner` is called for a broken frame with an owner, which
 * Xen 4.2 answers with `AGAIN` and a crashed domain.
 */
export function pageOfflineSysctl(frames: MachineFrames, op: PageOfflineOp, mfn: number, crashOwner: (domid: number) => void): number {
  if (!Number.isInteger(mfn) || mfn < 0 || mfn >= frames.size) throw new HypervisorError('EINVAL', `mfn 0x${mfn.toString(16)} is not a valid frame`);
  const state = frames.state[mfn]!;
  const broken = frames.broken[mfn] === 1;
  const owner = frames.owner[mfn]!;
  switch (op) {
    case 'offline': {
      // Xen also fills XENPAGE | FAILED | DOMID_XEN << 16 into the status array.
      if (owner === DOMID_XEN) throw new HypervisorError('EPERM', `mfn 0x${mfn.toString(16)} is Xen's own: it cannot go offline`);
      const brokenBit = broken ? PG_OFFLINE.BROKEN : 0;
      if (broken && owner !== DOMID_INVALID) {
        crashOwner(owner);
        return PG_OFFLINE.AGAIN | brokenBit;
      }
      if (state === FrameState.offlined) return PG_OFFLINE.OFFLINED | brokenBit;
      if (state === FrameState.free) {
        frames.state[mfn] = FrameState.offlined; // reserved: the allocator skips it from now on
        return PG_OFFLINE.OFFLINED | brokenBit;
      }
      frames.state[mfn] = FrameState.offlining; // offlined when its owner frees it
      if (owner !== DOMID_INVALID) return PG_OFFLINE.OWNED | PG_OFFLINE.PENDING | (owner << PG_OFFLINE.OWNER_SHIFT) | brokenBit;
      return PG_OFFLINE.ANONYMOUS | PG_OFFLINE.FAILED | (DOMID_INVALID << PG_OFFLINE.OWNER_SHIFT) | brokenBit;
    }
    case 'online':
      // Xen also fills FAILED | BROKEN into the status array.
      if (broken) throw new HypervisorError('EINVAL', `mfn 0x${mfn.toString(16)} is broken: it stays offline`);
      if (state === FrameState.offlined) frames.online(mfn);
      else if (state === FrameState.offlining) frames.state[mfn] = FrameState.inuse;
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
