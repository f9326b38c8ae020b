import { throttleTime } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { GuestRunner, zipfWorkload } from '@pagevisor/testing';
import { setup } from './support.js';

describe('the pager leaves the event loop its turns', () => {
  it('timers fire and a throttled stats$ emits while a guest runs against the memory store', async () => {
    // Against a backend that answers at once, every call resolves through promise callbacks alone;
    // without the pager's turns a timer (and a signal handler) would wait for the whole run.
    const { hv, guest, pager } = setup('vm_event/v7', { maxPages: 16384, sim: { audit: false, machineFrames: 20_000 } });
    const emitted: number[] = [];
    pager.stats$.pipe(throttleTime(50)).subscribe((s) => emitted.push(s.faults));
    let ticks = 0;
    const timer = setInterval(() => ticks++, 10);
    await pager.start();
    hv.setTarget(guest.domid, 4096);
    await pager.settle();
    const started = performance.now();
    await new GuestRunner(hv, guest.domid, zipfWorkload({ pages: 15000, accesses: 60_000, seed: 7 })).run(() => pager.settle());
    const ms = performance.now() - started;
    clearInterval(timer);
    await pager.stop('graceful');
    expect(ms).toBeGreaterThan(100); // long enough to need turns
    expect(ticks).toBeGreaterThanOrEqual(Math.floor(ms / 10 / 4)); // at least a quarter of the 10 ms ticks
    expect(emitted.length).toBeGreaterThan(2);
  });
});
