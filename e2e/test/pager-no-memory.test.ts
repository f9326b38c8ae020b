import { isPagevisorError, PAGE_STORE, type PagerEvent } from '@pagevisor/core';
import { MemoryPageStore } from '@pagevisor/storage';
import { P2mType } from '@pagevisor/testing';
import { describe, expect, it } from 'vitest';
import { integrityMismatches, setup } from './support.js';

/**
 * Prep failing with ENOMEM (no free machine frame) does not kill the pager. The faulting
 * vcpu stays paused while the pager retries with back-off (xenpaging_populate_page slept and retried);
 * after 8 tries the pager stops with PAGER_NO_MEMORY and the page stays out, in the store.
 */
async function until(condition: () => boolean, settle: () => Promise<void>, ms: number): Promise<boolean> {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    await settle();
    if (condition()) return true;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return condition();
}

describe('page-in with no free memory (ENOMEM from prep)', () => {
  for (const abi of ['vm_event/v7', 'mem_event/4.2', 'mem_event/age1', 'mem_event/4.0']) {
    it(`${abi}: holds the fault back, retries with back-off, and pages in once memory is free`, async () => {
      const { hv, guest, pager } = setup(abi, { config: { retryIntervalMs: 100 } });
      const events: PagerEvent[] = [];
      pager.events$.subscribe((e) => events.push(e));
      await pager.start();
      hv.setTarget(guest.domid, guest.totPages >> 1);
      await pager.settle();
      const gfn = guest.p2mType.indexOf(P2mType.ram_paged);
      const hogs = hv.occupyFreeFrames();
      expect(hv.guestAccess(guest.domid, 0, gfn, false)).toBe('blocked');
      await pager.settle();
      expect(events.filter((e) => e.type === 'batch.delayed')).toEqual([{ type: 'batch.delayed', pages: 1, attempt: 1, retryInMs: 100 }]);
      expect(guest.runnable(0)).toBe(false); // held back, not answered: no fault loop
      await new Promise((resolve) => setTimeout(resolve, 150));
      await pager.settle();
      expect(events.filter((e) => e.type === 'batch.delayed').map((e) => (e as { attempt: number }).attempt)).toEqual([1, 2]);
      for (const hog of hogs) hv.destroyDomain(hog);
      const back = await until(() => { hv.releaseSpin(guest.domid, 0); return guest.runnable(0); }, () => pager.settle(), 2000);
      expect(back, 'the vcpu never ran again after memory was freed').toBe(true);
      expect(hv.guestAccess(guest.domid, 0, gfn, false)).toBe('done');
      await pager.stop('graceful');
      expect(integrityMismatches(hv, guest.domid)).toEqual([]);
    });
  }

  it('gives up after 8 tries: the pager stops with PAGER_NO_MEMORY, the page stays out and in the store', async () => {
    const store = new MemoryPageStore(4096);
    const { hv, guest, pager } = setup('vm_event/v7', { config: { retryIntervalMs: 100 }, store: { name: 'kept', register: (c) => c.provide(PAGE_STORE, store) } });
    const events: PagerEvent[] = [];
    let failure: unknown;
    pager.events$.subscribe({ next: (e) => events.push(e), error: (error) => (failure = error) });
    await pager.start();
    hv.setTarget(guest.domid, guest.totPages >> 1);
    await pager.settle();
    const gfn = guest.p2mType.indexOf(P2mType.ram_paged);
    hv.occupyFreeFrames();
    hv.guestAccess(guest.domid, 0, gfn, false);
    const stopped = await until(() => failure !== undefined, () => pager.settle().catch(() => undefined), 10_000);
    expect(stopped).toBe(true);
    expect(isPagevisorError(failure, 'PAGER_NO_MEMORY')).toBe(true);
    expect((failure as Error).message).toMatch(/found no free memory 8 times; the pages stay out, in the store/);
    expect(events.filter((e) => e.type === 'batch.delayed').map((e) => (e as { retryInMs: number }).retryInMs)).toEqual([100, 200, 400, 800, 800, 800, 800, 800]);
    expect(guest.p2mType[gfn]).not.toBe(P2mType.ram_rw);
    expect(pager.stats.pagesOut).toBeGreaterThan(0);
    const page = new Uint8Array(4096);
    await store.readBatch(Uint32Array.of(gfn), 1, page);
    expect(page).toEqual(hv.expectedContent(guest.domid, gfn));
  }, 30_000);
});
