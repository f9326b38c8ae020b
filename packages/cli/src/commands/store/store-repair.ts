import type { Command } from '../../command.js';
import { integerFlag } from '../../flags.js';
import { openChosenStore, RUN_REDIS_PREFIX, STORE_FLAGS, STORE_FLAGS_HELP, storeChoice, existingPath } from '../../store/store-choice.js';
import { damageOf, storeHealth } from '../../store/store-health.js';

const COMMAND = 'store repair';

/** `pagevisor store repair`: drops what `store verify` finds damaged, only when told `--yes`. */
export const storeRepairCommand: Command = {
  path: ['store', 'repair'],
  summary: 'drop the corrupt and orphaned records of a store (says what first; needs --yes)',
  help: `Usage: pagevisor store repair --store pagepagefile|sqlite|redis (--path P | --url U) [--yes]

Checks the store read-only, as pagevisor store verify does, and says what
repairing it would drop: corrupt records (their pages are already lost; the
gfn then reads as missing instead of corrupt), orphaned records (older
versions a crash left behind, keys of no gfn) and, for a truncated pagefile,
the slots its header still counts. Only with --yes does it drop them; it
keeps every served, intact page.

Options:
${STORE_FLAGS_HELP}
  --gfns N          gfns the store may hold (default 16777216)
  --yes             drop them (without it, nothing is changed)
  --help            show this help

Exit codes: 0 nothing to repair, or repaired; 1 damage found and --yes not
given; 2 bad usage or a file that is not a store.

Examples:
  pagevisor store repair --store pagefile --path guest.pagefile
  pagevisor store repair --store pagefile --path guest.pagefile --yes
`,
  options: { ...STORE_FLAGS, gfns: { type: 'string' }, yes: { type: 'boolean' } },
  positionals: false,
  async run({ values }, io) {
    const choice = existingPath(storeChoice(values, COMMAND, undefined, RUN_REDIS_PREFIX), COMMAND);
    const gfns = integerFlag(COMMAND, 'gfns', values['gfns'], 1 << 24, 1, 1 << 28);
    const where = choice.path ?? `${choice.url ?? choice.cluster?.join(',')} prefix ${choice.prefix}`;
    if (values['yes'] !== true) {
      const store = await openChosenStore(choice, gfns, COMMAND, 'read-only');
      let damage;
      try {
        damage = damageOf(await storeHealth(store));
      } finally {
        await store.close();
      }
      if (damage === undefined) {
        io.out(`${where}: nothing to repair\n`);
        return 0;
      }
      io.out(`${where}: repairing would drop ${damage}. Nothing was changed; run again with --yes to drop them.\n`);
      return 1;
    }
    const store = await openChosenStore(choice, gfns, COMMAND, 'read-write');
    try {
      const before = await storeHealth(store);
      const dropped = await store.repair();
      const damage = damageOf({ ...dropped, missingSlots: before.missingSlots });
      io.out(`${where}: ${damage === undefined ? 'nothing to repair' : `dropped ${damage}`}; ${dropped.ok} pages intact\n`);
    } finally {
      await store.close();
    }
    return 0;
  },
};
