import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPager, isPagevisorError } from '@pagevisor/core';
import { xenpaging } from '@pagevisor/policies';
import { pagefileStore } from '@pagevisor/storage';
import { GuestRunner, P2mType, scanWorkload, SimHypervisor } from '@pagevisor/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { integrityMismatches, pagedToHalf } from './support.js';

const ABI = 'vm_event/v7';
let dir: string | undefined;
afterEach(() => {
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

/**
 * A pager that takes over pages another pager left out in a shared store (issue 17's migration by
 * reference, done by hand): the source pages its guest to half into a pagefile and stops hard; a
 * second host restores the guest with the paged gfns still out, and its pager adopts them over the
 * same pagefile, so a fault reads each from where the source left it.
 */
describe('adoptPagedOut', () => {
  it('takes paged-out pages over from a pagefile another pager left, and pages them in on fault', async () => {
    dir = mkdtempSync(join(tmpdir(), 'pagevisor-adopt-'));
    const path = join(dir, 'guest.pagefile');
    const { hv, guest, pager } = await pagedToHalf(ABI, { store: pagefileStore({ path }) });
    const { pagesOut } = await pager.stop('hard');
    expect(pagesOut).toBeGreaterThan(1000);

    const target = new SimHypervisor({ abi: ABI, audit: true, machineFrames: 16384 });
    const copy = target.createDomain({ maxPages: guest.maxPages, vcpus: 4, seed: guest.seed, empty: true });
    const paged: number[] = [];
    for (let gfn = 0; gfn < guest.maxPages; gfn++) {
      if (guest.p2mType[gfn] === P2mType.ram_paged) {
        target.restorePaged(copy.domid, gfn);
        paged.push(gfn);
      } else if (guest.p2mType[gfn] === P2mType.ram_rw) target.restorePage(copy.domid, gfn, hv.readGfn(guest.domid, gfn)!);
    }
    target.adoptVersions(copy.domid, guest);
    target.setTarget(copy.domid, copy.totPages); // as resident as at the source: no page-in for the target
    expect(paged.length).toBe(pagesOut);

    const successor = createPager({ hypervisor: target, domid: copy.domid, policy: xenpaging(), store: pagefileStore({ path }), abi: ABI });
    successor.adoptPagedOut(Uint32Array.from(paged));
    await successor.start();
    expect(successor.stats.pagesOut).toBe(pagesOut);
    // The guest reads every RAM page: each paged one faults and comes from the source's pagefile.
    const ram = copy.totPages + copy.pagedPages;
    const run = await new GuestRunner(target, copy.domid, scanWorkload({ pages: ram, accesses: ram, seed: 1 })).run(() => successor.settle());
    expect(run.stalled).toBe(false);
    expect(successor.stats.faults).toBeGreaterThanOrEqual(pagesOut); // and a few more: it evicts to stay at its target
    await successor.stop('graceful');
    expect([copy.pagedPages, integrityMismatches(target, copy.domid)]).toEqual([0, []]);
  });

  it('refuses a page beyond the memory at start, before paging is enabled, and any adoption after start', async () => {
    const target = new SimHypervisor({ abi: ABI, audit: true, machineFrames: 4096 });
    const copy = target.createDomain({ maxPages: 1024, empty: true });
    const pager = createPager({ hypervisor: target, domid: copy.domid, policy: xenpaging(), store: pagefileStore({ path: join((dir = mkdtempSync(join(tmpdir(), 'pagevisor-adopt-'))), 'p') }), abi: ABI });
    pager.adoptPagedOut(Uint32Array.of(5, 1024));
    const error = await pager.start().then(() => undefined, (e: unknown) => e);
    expect(isPagevisorError(error, 'CONFIG') && (error as Error).message).toMatch(/adoptPagedOut: page 1024 is beyond the 1024 pages/);
    expect(target.domainInfo(copy.domid).paging).toBe(false);
    const next = createPager({ hypervisor: target, domid: copy.domid, policy: xenpaging(), store: pagefileStore({ path: join(dir, 'q') }), abi: ABI });
    await next.start();
    expect(() => next.adoptPagedOut(Uint32Array.of(1))).toThrow(/pages are adopted before start; this pager is running/);
    await next.stop('hard');
  });
});
