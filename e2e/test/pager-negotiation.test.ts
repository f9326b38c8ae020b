import {
  AbiRegistry,
  BUILTIN_ABIS,
  createDefaultAbiRegistry,
  createPager,
  createVmEventVersionAdapter,
  isPagevisorError,
  VM_EVENT_V5,
  VM_EVENT_V7,
  type AbiAdapter,
  type PagerEvent,
} from '@pagevisor/core';
import { xenpaging } from '@pagevisor/policies';
import { memoryStore } from '@pagevisor/storage';
import { GuestRunner, P2mType, SimHypervisor, zipfWorkload } from '@pagevisor/testing';
import { describe, expect, it } from 'vitest';
import { integrityMismatches } from './support.js';

/**
 * Negotiation as Xen had it: vm_event Xen announces its version only from 4.13
 * (`XEN_VM_EVENT_GET_VERSION`, d48e183607); no upstream enable compares ABIs; SUSE's age 3 refuses
 * another age with ENOEXEC; vm_event_resume drops responses of another version.
 */
function machine(xenAbi: string) {
  const hv = new SimHypervisor({ abi: xenAbi, machineFrames: 8192, audit: true });
  const guest = hv.createDomain({ maxPages: 2048, vcpus: 2, seed: 5 });
  return { hv, guest };
}

/** The built-in v7→v5 adapter, counting the messages it translates each way. */
function countingAdapter(): AbiAdapter & { fromWireCalls: number; toWireCalls: number } {
  const inner = createVmEventVersionAdapter(VM_EVENT_V7, VM_EVENT_V5);
  const adapter = {
    pagerAbi: inner.pagerAbi,
    wireAbi: inner.wireAbi,
    fromWireCalls: 0,
    toWireCalls: 0,
    fromWire: (m: Parameters<AbiAdapter['fromWire']>[0]) => (adapter.fromWireCalls++, inner.fromWire(m)),
    toWire: (m: Parameters<AbiAdapter['toWire']>[0]) => (adapter.toWireCalls++, inner.toWire(m)),
  };
  return adapter;
}

async function pageUnderLoad(hv: SimHypervisor, domid: number, pager: ReturnType<typeof createPager>) {
  hv.setTarget(domid, 1024);
  await pager.settle();
  return new GuestRunner(hv, domid, zipfWorkload({ pages: 2000, accesses: 5000, seed: 9 })).run(() => pager.settle());
}

describe('ABI negotiation between the pager and the Xen it runs on', () => {
  it('a v7 pager on a Xen 4.13+ of v5 asks the version and speaks through the adapter it registered', async () => {
    const { hv, guest } = machine('vm_event/v5');
    const adapter = countingAdapter();
    const abiRegistry = new AbiRegistry(BUILTIN_ABIS, [adapter]);
    const store = memoryStore();
    const pager = createPager({ hypervisor: hv, domid: guest.domid, policy: xenpaging(), store, abiRegistry, abi: 'vm_event/v7' });
    const events: PagerEvent[] = [];
    pager.events$.subscribe((e) => events.push(e));
    await pager.start();
    expect(events[0]).toMatchObject({ type: 'pager.started', abi: 'vm_event/v5', pagerAbi: 'vm_event/v7', abiSource: 'announced' });
    const result = await pageUnderLoad(hv, guest.domid, pager);
    expect(result.stalled).toBe(false);
    expect(pager.stats.faults).toBeGreaterThan(50);
    expect(adapter.fromWireCalls).toBeGreaterThanOrEqual(pager.stats.faults);
    expect(adapter.toWireCalls).toBe(adapter.fromWireCalls);
    expect(guest.paging!.counters.droppedResponses).toBe(0);
    await pager.stop('graceful');
    expect(integrityMismatches(hv, guest.domid)).toEqual([]);
  });

  it('a v7 pager that knows no adapter to an announced v5 refuses before enabling (no errno: Xen never refused)', async () => {
    const { hv, guest } = machine('vm_event/v5');
    const pager = createPager({
      hypervisor: hv,
      domid: guest.domid,
      policy: xenpaging(),
      store: memoryStore(),
      abiRegistry: new AbiRegistry(BUILTIN_ABIS),
      abi: 'vm_event/v7',
    });
    const error = await pager.start().then(() => undefined, (e: unknown) => e);
    expect(error).toMatchObject({ code: 'ABI_MISMATCH', message: 'expected vm_event interface version 7, got 5' });
    expect(guest.paging).toBeUndefined();
  });

  it('a v7 pager on Xen 4.11 (v3, no version query) gets the ring, sees version 3 in the first request and stops, naming the fix', async () => {
    const { hv, guest } = machine('vm_event/v3');
    expect(hv.announcedPagingAbi(guest.domid)).toBeUndefined();
    const pager = createPager({ hypervisor: hv, domid: guest.domid, policy: xenpaging(), store: memoryStore(), abi: ['vm_event/v7', 'vm_event/v3'] });
    const events: PagerEvent[] = [];
    pager.events$.subscribe({ next: (e) => events.push(e), error: () => undefined });
    await pager.start();
    expect(events[0]).toMatchObject({ abi: 'vm_event/v7', abiSource: 'configured' });
    hv.setTarget(guest.domid, 1024);
    await pager.settle();
    expect(hv.guestAccess(guest.domid, 0, firstPagedGfn(guest.p2mType), false)).toBe('blocked');
    const error = await pager.settle().then(() => undefined, (e: unknown) => e);
    expect(isPagevisorError(error, 'ABI_MISMATCH')).toBe(true);
    expect((error as Error).message).toContain('the ring carries vm_event interface version 3, but the pager speaks vm_event/v7');
    expect((error as Error).message).toContain('(vm_event/v3)');
  });

  it('the same pager with vm_event/v3 named first pages that Xen', async () => {
    const { hv, guest } = machine('vm_event/v3');
    const pager = createPager({ hypervisor: hv, domid: guest.domid, policy: xenpaging(), store: memoryStore(), abi: ['vm_event/v3', 'vm_event/v7'] });
    await pager.start();
    const result = await pageUnderLoad(hv, guest.domid, pager);
    expect(result.stalled).toBe(false);
    await pager.stop('graceful');
    expect(integrityMismatches(hv, guest.domid)).toEqual([]);
  });

  it("SUSE's age 3 refuses a pager of age 1 with ENOEXEC, as its mem_event_enable did", async () => {
    const { hv, guest } = machine('mem_event/age3');
    const pager = createPager({ hypervisor: hv, domid: guest.domid, policy: xenpaging(), store: memoryStore(), abi: 'mem_event/age1' });
    const error = await pager.start().then(() => undefined, (e: unknown) => e);
    expect(error).toMatchObject({ code: 'ENOEXEC', message: `domain ${guest.domid}: Expected paging age 3, got 1` });
    expect(guest.paging).toBeUndefined();
  });

  it('a pager configured with an ABI its registry lacks is refused at createPager', () => {
    const { hv, guest } = machine('vm_event/v7');
    const abiRegistry = createDefaultAbiRegistry();
    expect(() => createPager({ hypervisor: hv, domid: guest.domid, policy: xenpaging(), store: memoryStore(), abiRegistry, abi: 'vm_event/v8' })).toThrow(
      /abi: unknown paging ABI "vm_event\/v8"/,
    );
  });
});

function firstPagedGfn(types: ArrayLike<number>): number {
  for (let gfn = 1; gfn < types.length; gfn++) if (types[gfn] === P2mType.ram_paged) return gfn;
  throw new Error('nothing paged');
}
