import type { Command } from '../../command.js';
import { integerFlag } from '../../flags.js';
import { openChosenStore, RUN_REDIS_PREFIX, STORE_FLAGS, STORE_FLAGS_HELP, storeChoice, existingPath } from '../../store/store-choice.js';
import { damageOf, storeHealth } from '../../store/store-health.js';

const COMMAND = 'store verify';

/** `pagevisor store verify`: a read-only fsck of a store. */
export const storeVerifyCommand: Command = {
  path: ['store', 'verify'],
  summary: 'check every record of a store, read-only: counts of ok, corrupt and orphaned',
  help: `Usage: pagevisor store verify --store pagepagefile|sqlite|redis (--path P | --url U) [--json]

Reads every record of the store and checks its checksum. Prints how many
are ok (served and intact), corrupt (checksum fails) and orphaned (intact but
not served: an older version a crash left behind, or a key of no gfn); for a
pagefile also missingSlots, the slots its header counts that a truncation cut
off. The store is opened read-only: nothing in it changes, so running verify
again gives the same answer. To drop what is damaged, see pagevisor store repair.

Options:
${STORE_FLAGS_HELP}
  --gfns N          gfns the store may hold (default 16777216)
  --json            print {"ok":N,"corrupt":N,"orphaned":N} (+ "missingSlots")
  --help            show this help

Exit codes: 0 every record served and intact, 1 some record is corrupt or
orphaned or the file was truncated, 2 bad usage or a file that is not a store.

Examples:
  pagevisor store verify --store sqlite --path guest.sqlite
  pagevisor store verify --store pagefile --path guest.pagefile --json
  pagevisor store verify --store redis --url redis://127.0.0.1:6379
`,
  options: { ...STORE_FLAGS, gfns: { type: 'string' }, json: { type: 'boolean' } },
  positionals: false,
  async run({ values }, io) {
    const choice = existingPath(storeChoice(values, COMMAND, undefined, RUN_REDIS_PREFIX), COMMAND);
    const store = await openChosenStore(choice, integerFlag(COMMAND, 'gfns', values['gfns'], 1 << 24, 1, 1 << 28), COMMAND, 'read-only');
    let health;
    try {
      health = await storeHealth(store);
    } finally {
      await store.close();
    }
    const damage = damageOf(health);
    io.out(values['json'] === true ? `${JSON.stringify(health)}\n` : `ok ${health.ok}, corrupt ${health.corrupt}, orphaned ${health.orphaned}${(health.missingSlots ?? 0) > 0 ? `, ${health.missingSlots} slots cut off by truncation` : ''}\n`);
    if (damage !== undefined && values['json'] !== true) io.err(`pagevisor ${COMMAND}: damaged: ${damage} (pagevisor store repair drops them)\n`);
    return damage === undefined ? 0 : 1;
  },
};
