// Xen 4.1.0's pager left DROP_PAGE unanswered (ee3c42ba5b); each drop then holds a ring
// slot forever, until fewer than 4 are free, populate is refused, and faulting vcpus sleep with no
// response coming to wake them (fixed by 7c4c4b9c33: always respond).
import { describe, expect, it } from 'vitest';
import { GuestOp, GuestRunner, SimHypervisor, type Workload } from '@pagevisor/testing';
import { MiniPager } from './support/mini-pager.js';

function balloonThenRead(): Workload {
  const ops = new Uint8Array(80);
  const targets = new Uint32Array(80);
  for (let i = 0; i < 80; i++) {
    ops[i] = i < 70 ? GuestOp.balloonOut : GuestOp.read;
    targets[i] = i;
  }
  return { name: 'balloon-then-read', pages: 80, ops, targets };
}

describe('mem_event/age1 one-way DROP_PAGE', () => {
  it.each([
    [false, true],
    [true, false],
  ])('a pager that answers drops: %s → guest stalls (and the watchdog crashes it): %s', async (answerDrops, stalls) => {
    const hv = new SimHypervisor({ abi: 'mem_event/age1', audit: true, machineFrames: 4096 });
    const d = hv.createDomain({ maxPages: 1024, vcpus: 2 });
    const pager = new MiniPager(hv, d.domid, 'mem_event/age1', { answerDrops });
    const runner = new GuestRunner(hv, d.domid, balloonThenRead());
    for (let page = 0; page < 80; page++) expect(pager.pageOut(runner.gfnOf(page))).toBe(true);

    const result = await runner.run(() => pager.service());

    // A hung guest never just hangs: the dead-pager watchdog crashes it deliberately.
    expect(result.stalled).toBe(false);
    expect(result.crashed !== undefined).toBe(stalls);
    const paging = d.paging!;
    if (stalls) {
      expect(result.crashed).toMatch(/the pager answered nothing for 10 ms of virtual time/);
      // 61 drops were sent and never answered; the rest found the ring "full" and were lost.
      expect(paging.front.freeRequests).toBe(3);
      expect(paging.counters.lostDrops).toBe(70 - 61);
      expect([...d.ringSleep]).toEqual([1, 1]);
      expect(result.ops).toBe(70);
    } else {
      expect(paging.front.freeRequests).toBe(64);
      expect(paging.counters.lostDrops).toBe(0);
      expect(result.ops).toBe(80);
      hv.auditor!.auditDomain(d);
    }
  });
});
