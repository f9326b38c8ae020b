import { pageHead } from '@pagevisor/testing';
import type { Command } from '../../command.js';
import { integerFlag } from '../../flags.js';
import { openChosenStore, STORE_FLAGS, STORE_FLAGS_HELP, storeChoice } from '../../store/store-choice.js';
import { existingPath } from './existing-path.js';

const COMMAND = 'store dump';

/** `pagevisor store dump`: every stored page, with whether its checksum holds. */
export const storeDumpCommand: Command = {
  path: ['store', 'dump'],
  summary: 'list every page a store holds, damaged ones included',
  help: `Usage: pagevisor store dump --store file|sqlite|redis (--path P | --url U) [--json]

Prints one line per record the store holds, damaged ones and ones a crash
left behind included: its gfn, whether its checksum holds (ok), whether it is
the record served for its gfn (current), where it is, and its first line of
text (head). With --json each line is one JSON object.

Options:
${STORE_FLAGS_HELP}
  --gfns N          gfns the store may hold (default 16777216)
  --json            JSON lines
  --help            show this help

Examples:
  pagevisor store dump --store file --path /tmp/stress.pagefile --json
  pagevisor store dump --store redis --url redis+cluster://127.0.0.1:7000 --prefix pagevisor:dom1
`,
  options: { ...STORE_FLAGS, gfns: { type: 'string' }, json: { type: 'boolean' } },
  positionals: false,
  async run({ values }, io) {
    const choice = existingPath(storeChoice(values, COMMAND, undefined, 'pagevisor'), COMMAND);
    const store = await openChosenStore(choice, integerFlag(COMMAND, 'gfns', values['gfns'], 1 << 24, 1, 1 << 28), COMMAND);
    try {
      for await (const record of store.inspect()) {
        const line = { gfn: record.gfn ?? null, ok: record.ok, current: record.current, location: record.location, head: pageHead(record.data) };
        io.out(values['json'] === true ? `${JSON.stringify(line)}\n` : `${String(line.gfn ?? '?').padStart(8)}  ${line.ok ? 'ok     ' : 'CORRUPT'}  ${line.current ? '       ' : 'orphan '}  ${line.location}  ${JSON.stringify(line.head)}\n`);
      }
    } finally {
      await store.close();
    }
    return 0;
  },
};
