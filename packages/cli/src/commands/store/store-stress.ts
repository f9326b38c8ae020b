import { runStoreStress } from '@pagevisor/testing';
import type { Command } from '../../command.js';
import { integerFlag } from '../../flags.js';
import { requireParentDirectory } from '../../paths.js';
import { FSYNC_FLAG, FSYNC_FLAG_HELP, openChosenStore, STORE_FLAGS, STORE_FLAGS_HELP, storeChoice } from '../../store/store-choice.js';

const COMMAND = 'store stress';

/** `pagevisor store stress`: random puts and deletes, each reported once a durable flush covers it. */
export const storeStressCommand: Command = {
  path: ['store', 'stress'],
  summary: 'write random pages and deletes to a store, acknowledging each after a durable flush',
  help: `Usage: pagevisor store stress --store pagepagefile|sqlite|redis (--path P | --url U) [options]

Runs random puts (70%) and deletes of gfns in [0, --gfns) against the store,
in batches; after each batch it flushes, and once the flush is durable prints
one line per operation it covered, in order:
  ack put <gfn> <version>
  ack del <gfn>
then a JSON summary. The page of a put at version V (the operation's number,
from 1) starts with the line "pagevisor-stress gfn=<gfn> version=<V>" and its
other bytes follow from the seed, so a checker can tell an intact page.
The crash test kills this command at random moments and checks the store.
Ctrl-C (or SIGTERM) stops it after the batch under way; the summary then
says "interrupted" and the exit code is 130 (143).

Options:
${STORE_FLAGS_HELP}
${FSYNC_FLAG_HELP}
  --ops N           operations (default 10000)
  --seed S          seed of the operations and the pages (default 1)
  --gfns N          gfns used (default 4096)
  --batch N         operations per batch and flush (default 64)
  --help            show this help

Examples:
  pagevisor store stress --store pagefile --path /tmp/stress.pagefile --ops 100000
  pagevisor store stress --store redis --url redis://127.0.0.1:6379 --seed 7
`,
  options: { ...STORE_FLAGS, ...FSYNC_FLAG, ops: { type: 'string' }, seed: { type: 'string' }, gfns: { type: 'string' }, batch: { type: 'string' } },
  positionals: false,
  async run({ values }, io, interrupt) {
    const choice = storeChoice(values, COMMAND, undefined, 'pagevisor:stress');
    const options = {
      ops: integerFlag(COMMAND, 'ops', values['ops'], 10_000, 1, 1e9),
      seed: integerFlag(COMMAND, 'seed', values['seed'], 1, 0, 0xffff_ffff),
      gfns: integerFlag(COMMAND, 'gfns', values['gfns'], 4096, 1, 1 << 26),
      batch: integerFlag(COMMAND, 'batch', values['batch'], 64, 1, 4096),
    };
    if (choice.path !== undefined) requireParentDirectory('path', choice.path, COMMAND);
    const store = await openChosenStore(choice, options.gfns, COMMAND, 'read-write');
    try {
      const summary = await runStoreStress(store, { ...options, signal: interrupt.signal }, (line) => io.out(`${line}\n`));
      io.out(`${JSON.stringify({ store: choice.kind, ...summary, interrupted: interrupt.requested ?? null })}\n`);
    } finally {
      await store.close();
    }
    return 0;
  },
};
