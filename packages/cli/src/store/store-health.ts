import { checkRecords, PagefileStore, type InspectableStore, type InspectedRecord, type StoreCheck } from '@pagevisor/storage';

/** A store check, plus for a pagefile the slots its header counts that a truncation cut off. */
export interface StoreHealth extends StoreCheck {
  readonly missingSlots?: number;
}

/**
 * Counts what `records` (by default every record of `store`) holds, as `store verify` reports it.
 * A caller that also shows each record passes the records it shows.
 */
export async function storeHealth(store: InspectableStore, records: AsyncIterable<InspectedRecord> = store.inspect()): Promise<StoreHealth> {
  const check = await checkRecords(records);
  return store instanceof PagefileStore ? { ...check, missingSlots: store.recovery.missingSlots } : check;
}

/** What is wrong with a store, in words (`1 corrupt record, 1014 slots cut off by truncation`), or `undefined` if nothing is. */
export function damageOf(health: StoreHealth): string | undefined {
  const parts = [
    health.corrupt > 0 ? `${health.corrupt} corrupt record${health.corrupt === 1 ? '' : 's'} (their pages are lost)` : '',
    health.orphaned > 0 ? `${health.orphaned} orphaned record${health.orphaned === 1 ? '' : 's'} (served by no gfn)` : '',
    (health.missingSlots ?? 0) > 0 ? `${health.missingSlots} slots cut off by truncation` : '',
  ].filter((part) => part !== '');
  return parts.length === 0 ? undefined : parts.join(', ');
}
