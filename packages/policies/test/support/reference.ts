import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { denseIds, readTrace, type TraceFormat } from '@pagevisor/testing';

/** The reference traces and tables (../shared/traces, copied into @pagevisor/testing's fixtures with their origin). */
export const FIXTURES = fileURLToPath(new URL('../../../testing/fixtures/traces/', import.meta.url));

const FILES: Record<string, [string, TraceFormat]> = {
  cloudPhysicsIO: ['cloudPhysicsIO.vscsi', 'vscsi'],
  'addr-gcc': ['addr-gcc.trace.gz', 'address'],
  'lirs-2_pools': ['lirs-2_pools.trace.gz', 'lirs'],
  'lirs-cpp': ['lirs-cpp.trace.gz', 'lirs'],
  'lirs-ps': ['lirs-ps.trace.gz', 'lirs'],
  'lirs-sprite': ['lirs-sprite.trace.gz', 'lirs'],
};

/** One row of a reference table: libCacheSim's misses for a policy and a cache size on a trace. */
export interface ReferenceRow {
  readonly trace: string;
  readonly policy: string;
  readonly size: number;
  readonly requests: number;
  readonly misses: number;
}

/** Every row of both reference tables. */
export function referenceRows(): ReferenceRow[] {
  return ['expected-cloudPhysicsIO.tsv', 'expected-real.tsv'].flatMap((table) => {
    const [, ...lines] = readFileSync(FIXTURES + table, 'utf8').trim().split('\n');
    return lines.map((line) => {
      const [trace, policy, size, requests, misses] = line.split('\t');
      return { trace: trace!, policy: policy!, size: Number(size), requests: Number(requests), misses: Number(misses) };
    });
  });
}

/** One row of `expected-peers.tsv`: libCacheSim's misses for a peer policy, and whether they are exact or statistical. */
export interface PeerRow extends ReferenceRow {
  /** libCacheSim's name for the algorithm and its parameters. */
  readonly libcachesim: string;
  /** `exact` for deterministic algorithms; `statistical` for ones that hash or sample. */
  readonly match: 'exact' | 'statistical';
}

/** Every row of `expected-peers.tsv`. */
export function peerRows(): PeerRow[] {
  const [, ...lines] = readFileSync(FIXTURES + 'expected-peers.tsv', 'utf8').trim().split('\n');
  return lines.map((line) => {
    const [trace, policy, libcachesim, size, requests, misses, match] = line.split('\t');
    return { trace: trace!, policy: policy!, libcachesim: libcachesim!, size: Number(size), requests: Number(requests), misses: Number(misses), match: match as PeerRow['match'] };
  });
}

const loaded = new Map<string, { ids: Uint32Array; distinct: number }>();

/** A reference trace as dense ids, read once. */
export function referenceTrace(name: string): { ids: Uint32Array; distinct: number } {
  let trace = loaded.get(name);
  if (!trace) {
    const [file, format] = FILES[name]!;
    trace = denseIds(readTrace(FIXTURES + file, { format }).ids);
    loaded.set(name, trace);
  }
  return trace;
}
