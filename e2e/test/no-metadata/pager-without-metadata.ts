/**
 * Run under tsx (esbuild), which emits no decorator metadata, as a user's own build may: builds a
 * pager and an offline manager from core's sources, pages a guest down and back, and prints one JSON
 * line. Core's classes must name every constructor dependency with `@inject`; one that relied on
 * `design:paramtypes` would fail here. `pager-without-metadata.test.ts` runs it.
 */
import 'reflect-metadata';
import { OFFLINE_HANDLERS, createOfflineManager, createPager } from '@pagevisor/core';
import { xenpaging } from '@pagevisor/policies';
import { memoryStore } from '@pagevisor/storage';
import { SimHypervisor } from '@pagevisor/testing';

class Dependency {}
/** Any class decorator makes TypeScript's emitDecoratorMetadata record the constructor's types. */
const decorated = (_target: unknown): void => undefined;
@decorated
class Probe {
  constructor(readonly dependency: Dependency) {}
}

const metadata = Reflect.getMetadata('design:paramtypes', Probe) as unknown;
const hv = new SimHypervisor({ abi: 'vm_event/v7', audit: true, machineFrames: 8192 });
const guest = hv.createDomain({ maxPages: 2048, vcpus: 2, seed: 5 });
const pager = createPager({ hypervisor: hv, domid: guest.domid, policy: xenpaging({ mruSize: 64 }), store: memoryStore() });
await pager.start();
hv.setTarget(guest.domid, 1024);
await pager.settle();
const resident = hv.domainInfo(guest.domid).totPages;
await pager.stop();
const declining = { name: 'declining', canHandle: () => true, handle: async () => ({ result: 'declined' as const, reason: 'test' }) };
const offline = createOfflineManager({ hypervisor: hv, handlers: [{ name: 'declining', register: (c) => c.provide(OFFLINE_HANDLERS, declining) }] });
offline.close();
console.log(JSON.stringify({ metadata: metadata === undefined ? 'absent' : 'present', resident, mismatches: hv.contentMismatches(guest.domid).mismatches.length }));
