import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BUILTIN_ABIS } from '@pagevisor/core';
import { memoryStore, pagefileStore } from '@pagevisor/storage';
import { afterAll, describe, expect, it } from 'vitest';
import { GuestRunner, zipfWorkload } from '@pagevisor/testing';
import { integrityMismatches, setup } from './support.js';
import { QUICK, slowTestName } from '../../vitest.quick.js';

const dir = mkdtempSync(join(tmpdir(), 'pagevisor-e2e-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const cases = BUILTIN_ABIS.flatMap((abi) => [
  [abi.id, 'memory'],
  [abi.id, 'pagefile'],
]);

describe.each(cases)('the pager on %s with the %s store', (abiId, storeName) => {
  // Under pnpm test:quick the memory store covers every ABI; the pagefile runs are in `pnpm test`.
  const title = 'holds the target under a workload, pages everything back on a graceful stop, and loses nothing';
  it.skipIf(QUICK && storeName === 'pagefile')(storeName === 'pagefile' ? slowTestName(title) : title, async () => {
    const store = storeName === 'memory' ? memoryStore() : pagefileStore({ path: join(dir, `${abiId.replace('/', '-')}.pagefile`) });
    const { hv, guest, pager } = setup(abiId, { store });
    const events: string[] = [];
    pager.events$.subscribe((e) => events.push(e.type));
    await pager.start();
    const half = Math.floor(guest.totPages / 2);
    hv.setTarget(guest.domid, half);
    await pager.settle();
    expect(hv.domainInfo(guest.domid).totPages).toBe(half);
    expect(pager.stats.pagesOut).toBeGreaterThan(guest.maxPages / 2 - 300);

    const runner = new GuestRunner(hv, guest.domid, zipfWorkload({ pages: 3000, accesses: 20_000, seed: 3 }));
    const result = await runner.run(() => pager.settle());
    expect(result.stalled).toBe(false);
    expect(pager.stats.faults).toBeGreaterThan(100);
    expect(hv.domainInfo(guest.domid).totPages).toBeLessThanOrEqual(half + abiRingSlack(abiId));

    const report = await pager.stop('graceful');
    expect(report).toEqual({ mode: 'graceful', pagesOut: 0 });
    expect(guest.pagedPages).toBe(0);
    expect(guest.paging).toBeUndefined();
    expect(integrityMismatches(hv, guest.domid)).toEqual([]);
    hv.auditor!.auditDomain(guest);
    expect(events[0]).toBe('pager.started');
    expect(events.at(-1)).toBe('pager.stopped');
  }, 30_000);
});

/** Pages a domain may sit above its target while requests are in flight: one ring's worth. */
function abiRingSlack(abiId: string): number {
  return BUILTIN_ABIS.find((abi) => abi.id === abiId)!.ringSlots;
}
