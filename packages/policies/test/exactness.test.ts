import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createClassicPolicy, simulateTrace } from '@pagevisor/policies';
import { denseIds, readTrace, type TraceFormat } from '@pagevisor/testing';

/**
 * Issue 5 §4: every row of the reference tables (libCacheSim's counts, ../shared/traces, copied into
 * @pagevisor/testing's fixtures) for these policies gives exactly the listed misses.
 */
const POLICIES = ['lru', 'fifo', 'clock', 'clock2', 'clock3', 'sieve', 'arc', 's3fifo', 'belady', 'mru'];
const fixtures = fileURLToPath(new URL('../../testing/fixtures/traces/', import.meta.url));
const FILES: Record<string, [string, TraceFormat]> = {
  cloudPhysicsIO: ['cloudPhysicsIO.vscsi', 'vscsi'],
  'addr-gcc': ['addr-gcc.trace.gz', 'address'],
  'lirs-2_pools': ['lirs-2_pools.trace.gz', 'lirs'],
  'lirs-cpp': ['lirs-cpp.trace.gz', 'lirs'],
  'lirs-ps': ['lirs-ps.trace.gz', 'lirs'],
  'lirs-sprite': ['lirs-sprite.trace.gz', 'lirs'],
};

interface Row {
  trace: string;
  policy: string;
  size: number;
  requests: number;
  misses: number;
}

function rows(file: string): Row[] {
  const [, ...lines] = readFileSync(fixtures + file, 'utf8').trim().split('\n');
  return lines.map((line) => {
    const [trace, policy, size, requests, misses] = line.split('\t');
    return { trace: trace!, policy: policy!, size: Number(size), requests: Number(requests), misses: Number(misses) };
  });
}

const traces = new Map<string, { ids: Uint32Array; distinct: number }>();
function trace(name: string): { ids: Uint32Array; distinct: number } {
  let loaded = traces.get(name);
  if (!loaded) {
    const [file, format] = FILES[name]!;
    loaded = denseIds(readTrace(fixtures + file, { format }).ids);
    traces.set(name, loaded);
  }
  return loaded;
}

describe('exactness against libCacheSim', () => {
  for (const table of ['expected-cloudPhysicsIO.tsv', 'expected-real.tsv']) {
    const wanted = rows(table).filter((row) => POLICIES.includes(row.policy));
    it(`${table}: all ${wanted.length} rows of ${POLICIES.join(', ')}`, () => {
      const wrong: string[] = [];
      for (const row of wanted) {
        const { ids, distinct } = trace(row.trace);
        const result = simulateTrace(ids, distinct, (ctx) => createClassicPolicy(row.policy, ctx), row.size, row.policy === 'belady');
        if (result.requests !== row.requests || result.misses !== row.misses) wrong.push(`${row.trace} ${row.policy} ${row.size}: ${result.misses} misses of ${result.requests}, expected ${row.misses} of ${row.requests}`);
      }
      expect(wrong).toEqual([]);
    }, 120_000);
  }
});
