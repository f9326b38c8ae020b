import { readFileSync } from 'node:fs';
import { BUILTIN_ABIS } from '@pagevisor/core';
import { accessTimestamp, xenpaging } from '@pagevisor/policies';
import { memoryStore } from '@pagevisor/storage';
import { formatSchedule, parseSchedule, runInterleaved, shrinkInterleaved, type InterleaveOptions } from '@pagevisor/testing';
import { describe, expect, it } from 'vitest';
import { QUICK } from '../../vitest.quick.js';

/**
 * The guest, backends and the toolstack act inside the pager's batches (at every call it
 * makes into the hypervisor and its store), from a seed. Every run must end with no vcpu waiting on a
 * gfn nobody will answer, no access faulting for ever, every page intact and the invariants clean.
 */
/** Seeds per ABI: 12, or 3 under `pnpm test:quick` (the names say how many ran). */
const SEEDS = QUICK ? 3 : 12;

/**
 * What the harness found before the fixes, each by the seed that found it first. The schedule each seed
 * drew then is kept in `fixtures/interleave/` (the schedule a seed draws changes when actions are added).
 */
const FOUND = [
  // Xen 4.1's resume sets ram_rw whatever the type; the simulator resumed only paging_in, so a gfn
  // mapped between nominate and evict stayed paging_out and every access faulted again.
  { abi: 'mem_event/age1', seed: 3, what: 'a fault loop on a paging_out gfn (4.1 resume)' },
  // A fault and a DROP_PAGE for one gfn in one batch: the drop's delete ran before the read.
  { abi: 'mem_event/age1', seed: 1, what: 'the pager died reading a dropped page (STORE_MISSING)' },
  // Age 2 maps before it nominates: the simulator's read-only mapping was a snapshot taken at map time.
  { abi: 'mem_event/age2', seed: 2, what: 'a page copied before the guest wrote it (snapshot mapping)' },
  // vm_event v2+: an EVICT_FAIL|FOREIGN request with vcpu 0 unpaused; vm_event_resume skips the resume.
  { abi: 'vm_event/v7', seed: 1, what: 'a gfn stuck in paging_in, its vcpu spinning for ever' },
] as const;

const options = (abi: string, seed: number): InterleaveOptions => ({ abi, seed, policy: xenpaging(), store: memoryStore() });

async function expectClean(run: InterleaveOptions): Promise<void> {
  const result = await runInterleaved(run);
  if (result.ok) return;
  const small = await shrinkInterleaved(run, { maxRuns: 80 });
  expect.fail(
    `seed ${run.seed} on ${run.abi}: ${result.problems[0]!.message}\n` +
      `replay: pagevisor run --interleave ${run.seed} --abi ${run.abi}\n` +
      `shrunk to ${small.schedule.length} actions (${small.problems[0]!.message}):\n${formatSchedule(small.schedule)}`,
  );
}

describe('interleaved runs: guest and backends inside the pager\'s batches', () => {
  for (const abi of BUILTIN_ABIS.map((a) => a.id)) {
    it(`${abi}: ${SEEDS} seeds end with no hang, no fault loop, no lost page, invariants clean`, async () => {
      for (let seed = 1; seed <= SEEDS; seed++) await expectClean(options(abi, seed));
    }, 120_000);
  }

  it('access-timestamp (its confirmEviction refusals) on every ABI family', async () => {
    for (const abi of ['mem_event/age1', 'mem_event/age3', 'mem_event/4.2', 'vm_event/v7']) {
      for (let seed = 1; seed <= 4; seed++) await expectClean({ ...options(abi, seed), policy: accessTimestamp() });
    }
  }, 120_000);

  for (const found of FOUND) {
    it(`regression: ${found.abi} seed ${found.seed}, ${found.what}`, () => {
      const file = new URL(`fixtures/interleave/${found.abi.replace('/', '-')}-seed${found.seed}.schedule`, import.meta.url);
      return expectClean({ ...options(found.abi, found.seed), schedule: parseSchedule(readFileSync(file, 'utf8')) });
    });
  }

  it('16 vcpus on an 8-slot vm_event ring: v1 locks as Xen 4.6–4.8 did (black eye), v2 and v7 do not (7f8445d967)', async () => {
    const v1 = await runInterleaved({ ...options('vm_event/v1', 1), vcpus: 16 });
    expect(v1.problems[0]).toMatchObject({ kind: 'hang' });
    expect(v1.problems[0]!.message).toMatch(/black-eye paused/);
    for (const abi of ['vm_event/v2', 'vm_event/v7']) for (let seed = 1; seed <= 3; seed++) await expectClean({ ...options(abi, seed), vcpus: 16 });
  }, 120_000);

  it('the toolstack and the host act too: memory pressure makes page-ins wait for memory, and the runs stay clean', async () => {
    let held = 0;
    for (let seed = 1; seed <= 6; seed++) {
      const result = await runInterleaved(options('vm_event/v7', seed));
      expect(result.ok, result.problems[0]?.message).toBe(true);
      held += result.eventCounts['batch.delayed'] ?? 0;
    }
    expect(held).toBeGreaterThan(0);
  });

  it('same seed, same run, bit for bit; another seed, another run', async () => {
    const a = await runInterleaved(options('vm_event/v7', 5));
    const b = await runInterleaved(options('vm_event/v7', 5));
    const c = await runInterleaved(options('vm_event/v7', 6));
    expect(b).toEqual(a);
    expect(a.actionsRun).toBeGreaterThan(100);
    expect(c.digest).not.toBe(a.digest);
  });

  it('a schedule written out and read back replays the same run', async () => {
    const a = await runInterleaved(options('mem_event/4.2', 3));
    const replay = await runInterleaved({ ...options('mem_event/4.2', 3), schedule: parseSchedule(formatSchedule(a.schedule)) });
    expect(replay.digest).toBe(a.digest);
    expect(() => parseSchedule('12 grab 0 1 ram')).toThrow(/schedule line 1 is not/);
    expect(parseSchedule('# a comment\n3 write 1 99 ram\n')).toEqual([{ at: 3, op: 'write', vcpu: 1, pick: 99, recent: false }]);
  });

  it('shrinks a failing run to a short schedule that fails the same way (Xen 4.1\'s evict, age 2, xenBugs)', async () => {
    // xenBugs: 4.1's evict checks neither references nor type, so a gfn ballooned out and back in
    // during the pager's store write is evicted with its new content. On age 1 the pager's scrub checks
    // the page is the one it copied; age 2 cannot map a paging gfn, so the harness finds the bug there,
    // and shrinking keeps only what matters (a balloon out and in).
    let failing: InterleaveOptions | undefined;
    for (let seed = 1; seed <= 20 && failing === undefined; seed++) {
      const run = { ...options('mem_event/age2', seed), xenBugs: true };
      if (!(await runInterleaved(run)).ok) failing = run;
    }
    expect(failing, 'no seed of 20 found the 4.1 evict race').toBeDefined();
    const full = await runInterleaved(failing!);
    const small = await shrinkInterleaved(failing!, { maxRuns: 150 });
    expect(small.ok).toBe(false);
    expect(small.problems[0]!.kind).toBe(full.problems[0]!.kind);
    expect(small.schedule.length).toBeLessThan(Math.max(10, full.schedule.length / 20));
  }, 120_000);
});
