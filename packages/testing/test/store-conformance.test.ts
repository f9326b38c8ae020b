import { describe, expect, it } from 'vitest';
import { runStoreConformance } from '@pagevisor/testing';
import { MapStore } from './support/map-store.js';

async function failures(bugs: ConstructorParameters<typeof MapStore>[0]): Promise<string[]> {
  const results = await runStoreConformance({ name: 'map', create: async () => ({ store: new MapStore(bugs) }) });
  return results.filter((r) => r.error).map((r) => r.name.replace('map: ', ''));
}

describe('store conformance suite', () => {
  it('catches each kind of broken store, and names what it broke', async () => {
    expect(await failures({ ignoreLengths: true })).toEqual(['keeps record lengths from 0 to 4096 and zero-fills the rest of the slot']);
    expect(await failures({ wrongMissingCode: true })).toEqual([
      'deletes, ignoring gfns it does not hold',
      'names a missing gfn in a STORE_MISSING error',
      'applies concurrent batches in call order',
    ]);
    expect(await failures({ noRangeCheck: true })).toEqual(['refuses a gfn beyond its range and a record longer than a page, and keeps working']);
  });

  it('passes a store with none of those bugs', async () => {
    expect(await failures({})).toEqual([]);
  });
});
