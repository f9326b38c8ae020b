import { checkRecords, PagefileStore } from '@pagevisor/storage';
import type { Command } from '../../command.js';
import { integerFlag } from '../../flags.js';
import { openChosenStore, STORE_FLAGS, STORE_FLAGS_HELP, storeChoice } from '../../store/store-choice.js';
import { existingPath } from './existing-path.js';

const COMMAND = 'store verify';

/** `pagevisor store verify`: a fsck of a store. */
export const storeVerifyCommand: Command = {
  path: ['store', 'verify'],
  summary: 'check every record of a store: counts of ok, corrupt and orphaned',
  help: `Usage: pagevisor store verify --store file|sqlite|redis (--path P | --url U) [--json]

Reads every record of the store and checks its checksum. Prints how many
are ok (served and intact), corrupt (checksum fails) and orphaned (intact but
not served: an older version a crash left behind, or a key of no gfn); for a
pagefile also missingSlots, the slots its header counts that a truncation cut
off. The store is not modified (orphans are reclaimed by the store's next
flush).

Options:
${STORE_FLAGS_HELP}
  --gfns N          gfns the store may hold (default 16777216)
  --json            print {"ok":N,"corrupt":N,"orphaned":N} (+ "missingSlots")
  --help            show this help

Exit codes: 0 no corrupt record and nothing cut off, 1 some record is corrupt
or the file was truncated, 2 bad usage or a file that is not a store.

Examples:
  pagevisor store verify --store sqlite --path guest.sqlite
  pagevisor store verify --store file --path guest.pagefile --json
`,
  options: { ...STORE_FLAGS, gfns: { type: 'string' }, json: { type: 'boolean' } },
  positionals: false,
  async run({ values }, io) {
    const choice = existingPath(storeChoice(values, COMMAND, undefined, 'pagevisor'), COMMAND);
    const store = await openChosenStore(choice, integerFlag(COMMAND, 'gfns', values['gfns'], 1 << 24, 1, 1 << 28), COMMAND);
    let check;
    try {
      // A pagefile also knows how many slots its header counts beyond a truncated end.
      const missingSlots = store instanceof PagefileStore ? store.recovery.missingSlots : 0;
      check = { ...(await checkRecords(store.inspect())), ...(store instanceof PagefileStore ? { missingSlots } : {}) };
    } finally {
      await store.close();
    }
    const missing = ('missingSlots' in check ? check.missingSlots : undefined) ?? 0;
    io.out(values['json'] === true ? `${JSON.stringify(check)}\n` : `ok ${check.ok}, corrupt ${check.corrupt}, orphaned ${check.orphaned}${missing > 0 ? `, ${missing} slots cut off by truncation` : ''}\n`);
    return check.corrupt === 0 && missing === 0 ? 0 : 1;
  },
};
