import { describe, expect, it } from 'vitest';
import { GuestOp, GuestRunner, loopWorkload, mixWorkload, scanWorkload, SimHypervisor, traceWorkload, zipfWorkload, readTrace } from '@pagevisor/testing';
import { MiniPager } from './support/mini-pager.js';

describe('generators', () => {
  it('are reproducible from the seed and differ across seeds', () => {
    const a = zipfWorkload({ pages: 1000, accesses: 5000, seed: 1 });
    expect(zipfWorkload({ pages: 1000, accesses: 5000, seed: 1 }).targets).toEqual(a.targets);
    expect(zipfWorkload({ pages: 1000, accesses: 5000, seed: 2 }).targets).not.toEqual(a.targets);
  });

  it('zipf is skewed: the hottest 10% of pages take most accesses', () => {
    const { targets } = zipfWorkload({ pages: 1000, accesses: 100_000, seed: 4 });
    const counts = new Uint32Array(1000);
    for (const page of targets) counts[page]!++;
    const sorted = [...counts].sort((x, y) => y - x);
    const top = sorted.slice(0, 100).reduce((sum, c) => sum + c, 0);
    expect(top / targets.length).toBeGreaterThan(0.6);
    expect(Math.max(...targets)).toBeLessThan(1000);
  });

  it('loop, scan and mix have the shapes they promise', () => {
    expect([...loopWorkload({ pages: 10, accesses: 7, loop: 3 }).targets]).toEqual([0, 1, 2, 0, 1, 2, 0]);
    expect([...scanWorkload({ pages: 4, accesses: 6 }).targets]).toEqual([0, 1, 2, 3, 0, 1]);
    const mix = mixWorkload({ pages: 100, accesses: 20_000, seed: 9 });
    const share = (op: number) => mix.ops.filter((o) => o === op).length / mix.ops.length;
    expect(share(GuestOp.write)).toBeCloseTo(0.3, 1);
    for (const op of [GuestOp.balloonOut, GuestOp.balloonIn, GuestOp.grantMap, GuestOp.hvmCopy]) expect(share(op)).toBeCloseTo(0.01, 2);
  });

  it('a trace becomes a read workload over dense page indexes', () => {
    const w = traceWorkload(readTrace(new TextEncoder().encode('900\n7\n900\n'), { format: 'txt' }));
    expect([...w.targets]).toEqual([0, 1, 0]);
    expect(w.pages).toBe(2);
  });
});

describe('a run is reproducible bit for bit from its seed', () => {
  async function fingerprint(seed: number): Promise<string> {
    const hv = new SimHypervisor({ abi: 'vm_event/v7', audit: true, machineFrames: 8192 });
    const d = hv.createDomain({ maxPages: 2048, vcpus: 4, seed });
    const pager = new MiniPager(hv, d.domid, 'vm_event/v7');
    const runner = new GuestRunner(hv, d.domid, mixWorkload({ pages: 1500, accesses: 20_000, seed }));
    let step = 0;
    const result = await runner.run(() => {
      if (++step % 50 === 0) for (let i = 0; i < 20; i++) pager.pageOut(runner.gfnOf((step * 7 + i * 131) % 1500));
      pager.service();
    });
    expect(result.stalled).toBe(false);
    hv.auditor!.auditDomain(d);
    const hash = (a: ArrayLike<number>) => {
      let h = 7;
      for (let i = 0; i < a.length; i++) h = (Math.imul(h, 31) + a[i]!) | 0;
      return h;
    };
    return JSON.stringify([result, d.paging!.counters, hash(d.p2mType), hash(d.p2mMfn), hash(d.version), d.pagedPages]);
  }

  it('same seed, same run; another seed, another run', async () => {
    const first = await fingerprint(5);
    expect(await fingerprint(5)).toBe(first);
    expect(await fingerprint(6)).not.toBe(first);
    expect(JSON.parse(first)[0].faults).toBeGreaterThan(0);
  });
});
