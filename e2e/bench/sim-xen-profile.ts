import { Session } from 'node:inspector/promises';
import { createPager } from '@pagevisor/core';
import { xenpaging } from '@pagevisor/policies';
import { memoryStore } from '@pagevisor/storage';
import { GuestRunner, SimHypervisor, zipfWorkload } from '@pagevisor/testing';

/** Files of the simulator's content model: generating, copying and comparing page contents. */
const CONTENT_MODEL = ['/sim/page-content.', '/internal/sim/frame-contents.'];

/** One run on the simulated Xen, and where its CPU time went. */
export interface SimXenRun {
  /** Faults the pager served per second of the workload. */
  readonly faultsPerSecond: number;
  readonly faults: number;
  /** Share of the workload's CPU samples with a content-model function on the stack. */
  readonly contentModelShare: number;
}

/**
 * The CLI's default guest, one vcpu: 65536 gfns held at 25% by xenpaging and the memory store, a Zipf
 * workload of `accesses` operations, the pager settling after every guest step (as `pagevisor run`
 * does). The workload runs under the V8 sampling profiler; every sample whose stack holds a function of
 * the content model counts toward its share.
 */
export async function simXenRun(vcpus: number, accesses: number): Promise<SimXenRun> {
  const hv = new SimHypervisor({ abi: 'vm_event/v7', machineFrames: 1 << 17 });
  const guest = hv.createDomain({ maxPages: 1 << 16, vcpus, seed: 1 });
  const pager = createPager({ hypervisor: hv, domid: guest.domid, policy: xenpaging(), store: memoryStore() });
  await pager.start();
  hv.setTarget(guest.domid, guest.totPages >> 2);
  await pager.settle();
  const runner = new GuestRunner(hv, guest.domid, zipfWorkload({ pages: guest.totPages, accesses, seed: 1 }));
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 100 });
  await session.post('Profiler.start');
  const before = pager.stats.faults;
  const start = performance.now();
  await runner.run(() => pager.settle());
  const seconds = (performance.now() - start) / 1000;
  const { profile } = await session.post('Profiler.stop');
  session.disconnect();
  const faults = pager.stats.faults - before;
  await pager.stop('hard');
  return { faultsPerSecond: faults / seconds, faults, contentModelShare: contentShare(profile) };
}

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly url: string };
  readonly children?: readonly number[];
}

function contentShare(profile: { nodes: readonly ProfileNode[]; samples?: readonly number[] }): number {
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const inModel = new Map<number, boolean>();
  const within = (id: number): boolean => {
    const known = inModel.get(id);
    if (known !== undefined) return known;
    const node = byId.get(id)!;
    const up = parent.get(id);
    const result = CONTENT_MODEL.some((file) => node.callFrame.url.includes(file)) || (up !== undefined && within(up));
    inModel.set(id, result);
    return result;
  };
  const samples = profile.samples ?? [];
  return samples.length === 0 ? 0 : samples.filter(within).length / samples.length;
}
