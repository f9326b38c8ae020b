import { describe, expect, it } from 'vitest';
import { BehaviorSubject, Subject } from 'rxjs';
import {
  createDefaultAbiRegistry,
  EVICT_DONE,
  EVICT_REFUSED,
  EVICT_TRY,
  PAGE_IN_GONE,
  PAGE_IN_REQUESTED,
  POPULATED,
  XenPagingBackend,
  type BackendCapabilities,
  type FaultBatch,
  type PagingBackend,
} from '@pagevisor/core';
import { backendConformanceCases, runBackendConformance, SimHypervisor, type BackendGuest } from '@pagevisor/testing';

const PAGE = 4096;

/** The Xen adapter over the simulated hypervisor, the guest one vcpu retrying while it is blocked. */
function xenSubject(abi: string) {
  return {
    name: `xen ${abi}`,
    async create() {
      const hv = new SimHypervisor({ abi, audit: true, machineFrames: 4096 });
      const { domid } = hv.createDomain({ maxPages: 64 });
      const backend = new XenPagingBackend({ hypervisor: hv, domid, abi: [abi], abiRegistry: createDefaultAbiRegistry() });
      const access = async (page: number, write: boolean): Promise<void> => {
        for (;;) {
          hv.releaseSpin(domid, 0);
          if (hv.guestAccess(domid, 0, page, write) === 'done') return;
          await new Promise((resolve) => setTimeout(resolve, 0));
        }
      };
      const guest: BackendGuest = {
        write: async (page) => {
          await access(page, true);
          return hv.expectedContent(domid, page).slice();
        },
        read: async (page) => {
          await access(page, false);
          return hv.readGfn(domid, page)!.slice();
        },
      };
      return { backend, guest };
    },
  };
}

describe('the backend conformance suite on the Xen adapter', () => {
  for (const abi of ['mem_event/4.0', 'mem_event/age2', 'mem_event/4.2', 'vm_event/v2', 'vm_event/v7']) {
    for (const c of backendConformanceCases(xenSubject(abi))) it(c.name, c.run);
  }
});

type Bug = 'none' | 'stale-bytes' | 'lost-write' | 'no-wake' | 'no-fault' | 'skip-evicts';

/**
 * The backend of docs/guides/writing-a-backend.md, with a guest that writes, and switchable bugs to
 * show that the suite catches each.
 */
class ArrayBackend implements PagingBackend {
  readonly memoryName = 'array';
  readonly capabilities: BackendCapabilities = { maxBatch: 32, refusesEviction: true, accesses: 'none', dirtyTracking: false, zeroPages: false, startsAbsent: false, prefetch: true };
  readonly info = { name: 'array' };
  readonly activity$ = new Subject<void>();
  readonly target$ = new BehaviorSubject(64);
  readonly pageCount = 64;
  private readonly memory = new Uint8Array(64 * PAGE);
  /** 0 out, 1 resident, 2 prepared, 3 prepared and written since. */
  private readonly state = new Uint8Array(64).fill(1);
  private readonly faults: number[] = [];
  private readonly waiting = new Map<number, (() => void)[]>();
  private writes = 0;

  constructor(private readonly bug: Bug) {}

  readonly guest: BackendGuest = {
    write: async (page) => {
      await this.present(page);
      this.memory.fill(++this.writes & 0xff, page * PAGE, page * PAGE + 64);
      if (this.state[page] === 2 && this.bug !== 'lost-write') this.state[page] = 3;
      return this.memory.slice(page * PAGE, (page + 1) * PAGE);
    },
    read: async (page) => {
      await this.present(page);
      return this.memory.slice(page * PAGE, (page + 1) * PAGE);
    },
  };

  private async present(page: number): Promise<void> {
    if (this.state[page] !== 0) return;
    await new Promise<void>((wake) => {
      this.waiting.set(page, [...(this.waiting.get(page) ?? []), wake]);
      if (this.bug !== 'no-fault') this.faults.push(page);
      else queueMicrotask(wake);
      this.activity$.next();
    });
  }

  open(): void {}
  close(): void {
    this.activity$.complete();
  }
  residentPages(): number {
    return this.state.reduce((n, s) => n + (s === 0 ? 0 : 1), 0);
  }
  drainFaults(into: FaultBatch): number {
    const n = Math.min(this.faults.length, this.capabilities.maxBatch);
    for (let i = 0; i < n; i++) {
      into.pages[i] = this.faults.shift()!;
      into.flags[i] = 0;
      into.who[i] = -1;
      into.ids[i] = into.pages[i]!;
    }
    return n;
  }
  populate(pages: Uint32Array, count: number, bytes: Uint8Array, outcome: Uint8Array): void {
    for (let i = 0; i < count; i++) {
      this.memory.set(bytes.subarray(i * PAGE, (i + 1) * PAGE), pages[i]! * PAGE);
      this.state[pages[i]!] = 1;
      outcome[i] = POPULATED;
    }
  }
  completeFaults(ids: Uint32Array, count: number): void {
    if (this.bug === 'no-wake') return;
    for (let i = 0; i < count; i++) {
      const waiters = this.waiting.get(ids[i]!) ?? [];
      this.waiting.delete(ids[i]!);
      for (const wake of waiters) wake();
    }
  }
  requestPageIn(pages: Uint32Array, count: number, outcome: Uint8Array): void {
    for (let i = 0; i < count; i++) {
      outcome[i] = this.state[pages[i]!] === 0 ? PAGE_IN_REQUESTED : PAGE_IN_GONE;
      if (outcome[i] === PAGE_IN_REQUESTED) this.faults.push(pages[i]!);
    }
    this.activity$.next();
  }
  prepareEviction(pages: Uint32Array, count: number, bytes: Uint8Array): number {
    for (let i = 0; i < count; i++) {
      if (this.bug !== 'stale-bytes') bytes.set(this.memory.subarray(pages[i]! * PAGE, (pages[i]! + 1) * PAGE), i * PAGE);
      this.state[pages[i]!] = 2;
    }
    return count;
  }
  commitEviction(pages: Uint32Array, count: number, _bytes: Uint8Array, outcome: Uint8Array): void {
    for (let i = 0; i < count; i++) {
      const page = pages[i]!;
      if (outcome[i] !== EVICT_TRY && this.bug !== 'skip-evicts') {
        this.state[page] = 1;
        continue;
      }
      if (this.state[page] === 3) {
        this.state[page] = 1; // written since it was copied: the copy is stale
        outcome[i] = EVICT_REFUSED;
        continue;
      }
      this.memory.fill(0, page * PAGE, (page + 1) * PAGE);
      this.state[page] = 0;
      outcome[i] = EVICT_DONE;
    }
  }
  abandonEviction(pages: Uint32Array, count: number): void {
    for (let i = 0; i < count; i++) this.state[pages[i]!] = 1;
  }
}

const arraySubject = (bug: Bug) => ({
  name: `array (${bug})`,
  async create() {
    const backend = new ArrayBackend(bug);
    return { backend, guest: backend.guest };
  },
});

describe('the backend conformance suite catches broken backends', () => {
  it('passes the guide\'s backend, written correctly', async () => {
    const results = await runBackendConformance(arraySubject('none'));
    expect(results.filter((r) => r.error).map((r) => `${r.name}: ${r.error!.message}`)).toEqual([]);
  });

  for (const [bug, failing] of [
    ['stale-bytes', /copies out the bytes.*: prepareEviction copied out bytes of page 0 that are not what the guest wrote/],
    ['lost-write', /never loses a write.*was lost/],
    ['no-wake', /copies out.*: reading page 0 did not complete within 5000 ms/],
    ['no-fault', /copies out.*: page 0 came back in without a fault record|were read by the guest without being paged in|reads back with bytes/],
    ['skip-evicts', /keeps resident.*: commitEviction evicted page 4, which the engine had marked EVICT_SKIP/],
  ] as const) {
    it(`fails a backend with the ${bug} bug, saying what it did`, async () => {
      const results = await runBackendConformance(arraySubject(bug));
      const messages = results.filter((r) => r.error).map((r) => `${r.name}: ${r.error!.message}`);
      expect(messages.some((m) => failing.test(m)), messages.join('\n')).toBe(true);
    });
  }
});
