import type { InspectedRecord } from '@pagevisor/storage';
import { pageHead } from '@pagevisor/testing';
import type { CliIo } from '../../cli-io.js';
import type { Command } from '../../command.js';
import { integerFlag } from '../../flags.js';
import { openChosenStore, RUN_REDIS_PREFIX, STORE_FLAGS, STORE_FLAGS_HELP, storeChoice, existingPath } from '../../store/store-choice.js';
import { damageOf, storeHealth } from '../../store/store-health.js';

const COMMAND = 'store dump';

/** `pagevisor store dump`: every stored page, with whether its checksum holds (read-only). */
export const storeDumpCommand: Command = {
  path: ['store', 'dump'],
  summary: 'list every page a store holds, damaged ones included (read-only)',
  help: `Usage: pagevisor store dump --store pagepagefile|sqlite|redis (--path P | --url U) [--json]

Prints one line per record the store holds, damaged ones and ones a crash
left behind included: its gfn, whether its checksum holds (ok), whether it is
the record served for its gfn (current), where it is, and its first line of
text (head). With --json each line is one JSON object. The store is opened
read-only: nothing in it changes. What is damaged is named on stderr.

Options:
${STORE_FLAGS_HELP}
  --gfns N          gfns the store may hold (default 16777216)
  --json            JSON lines
  --help            show this help

Exit codes: 0 every record served and intact, 1 some record is corrupt or
orphaned or the file was truncated, 2 bad usage or a file that is not a store.

Examples:
  pagevisor store dump --store pagefile --path /tmp/stress.pagefile --json
  pagevisor store dump --store redis --url redis+cluster://127.0.0.1:7000 --prefix pagevisor:dom1
`,
  options: { ...STORE_FLAGS, gfns: { type: 'string' }, json: { type: 'boolean' } },
  positionals: false,
  async run({ values }, io) {
    const choice = existingPath(storeChoice(values, COMMAND, undefined, RUN_REDIS_PREFIX), COMMAND);
    const store = await openChosenStore(choice, integerFlag(COMMAND, 'gfns', values['gfns'], 1 << 24, 1, 1 << 28), COMMAND, 'read-only');
    let health;
    try {
      health = await storeHealth(store, printed(store.inspect(), values['json'] === true, io));
    } finally {
      await store.close();
    }
    const damage = damageOf(health);
    if (damage !== undefined) io.err(`pagevisor ${COMMAND}: damaged: ${damage}\n`);
    return damage === undefined ? 0 : 1;
  },
};

/** Passes `records` on, printing each as it goes by. */
async function* printed(records: AsyncIterable<InspectedRecord>, json: boolean, io: CliIo): AsyncGenerator<InspectedRecord> {
  for await (const record of records) {
    const line = { gfn: record.gfn ?? null, ok: record.ok, current: record.current, location: record.location, head: pageHead(record.data) };
    io.out(json ? `${JSON.stringify(line)}\n` : `${String(line.gfn ?? '?').padStart(8)}  ${line.ok ? 'ok     ' : 'CORRUPT'}  ${line.current ? '       ' : 'orphan '}  ${line.location}  ${JSON.stringify(line.head)}\n`);
    yield record;
  }
}
