import type { Command } from '../command.js';
import { integerFlag } from '../flags.js';
import { runMigration, type MigrationRunReport } from '../migrate/migration-run.js';
import { RUN_REDIS_PREFIX, STORE_FLAGS, STORE_FLAGS_HELP, storeChoice } from '../store/store-choice.js';
import { UsageError } from '../usage-error.js';

const COMMAND = 'migrate';

/** `pagevisor migrate`: a paged guest moved between two simulated hosts by pre-copy or post-copy, then checked. */
export const migrateCommand: Command = {
  path: ['migrate'],
  summary: 'migrate a paged guest between two simulated hosts and check every page',
  help: `Usage: pagevisor migrate [--pages N] [--target T] [--store S] [--transfer X] [--mode M] [--json]

Creates two simulated Xen hosts in this process. On the first, a guest of N
pages is paged down to T resident pages by a pager over the store S and runs a
writing workload; it is then migrated to the second by pre-copy (every page,
then rounds of the dirtied ones while the workload goes on, then the guest
paused for the last round) or by post-copy (every page, then the guest
resumes on the second host at once: the pages dirtied meanwhile are fetched
from the first when the guest or its pager needs them, and pushed in the
background until none is left). Its paged-out pages are not paged in: by
reference, only their gfns travel and the destination's pager takes the store
over; streamed, they are read from the source's store. Prints the rounds,
pages and bytes sent, the pages moved by reference or streamed, the downtime
and total (virtual time over a 10 GbE link), the destination's check of every
page (in memory and in its store) and the invariant auditor's count.

Options:
  --pages N         guest pages (default 16384, 64 MiB)
  --target T        resident pages before the migration (default half of N)
${STORE_FLAGS_HELP.replace('--store NAME      ', '--store NAME      (default memory) ')}
                    (without --path a file or sqlite store is a temporary file)
  --transfer X      by-reference | stream: how paged-out pages travel (default
                    by-reference for a file, sqlite or redis store, stream for
                    memory, which the other host cannot reach)
  --mode M          precopy | postcopy (default precopy)
  --ops N           guest operations before the migration (default 20000)
  --seed N          seed of the guest's content and workload (default 1)
  --json            one JSON object
  --help            show this help

Exit codes: 0 migrated with every page intact and no invariant broken, 1 not.

Examples:
  pagevisor migrate --pages 16384 --target 8192 --store pagefile
  pagevisor migrate --store memory --transfer stream --json
  pagevisor migrate --mode postcopy --store pagefile
`,
  options: { pages: { type: 'string' }, target: { type: 'string' }, ...STORE_FLAGS, transfer: { type: 'string' }, mode: { type: 'string' }, ops: { type: 'string' }, seed: { type: 'string' }, json: { type: 'boolean' } },
  positionals: false,
  async run({ values }, io) {
    const pages = integerFlag(COMMAND, 'pages', values['pages'], 16384, 1024, 1 << 22);
    const target = integerFlag(COMMAND, 'target', values['target'], pages >> 1, 64, pages);
    const mode = values['mode'] ?? 'precopy';
    if (mode !== 'precopy' && mode !== 'postcopy') throw new UsageError(`--mode ${JSON.stringify(mode)}: expected precopy or postcopy`, COMMAND);
    const store = storeChoice(values, COMMAND, 'memory', `${RUN_REDIS_PREFIX}migrate:`);
    const transfer = values['transfer'] ?? (store.kind === 'memory' ? 'stream' : 'by-reference');
    if (transfer !== 'by-reference' && transfer !== 'stream') throw new UsageError(`--transfer ${JSON.stringify(transfer)}: expected by-reference or stream`, COMMAND);
    if (transfer === 'by-reference' && store.kind === 'memory') throw new UsageError('--transfer by-reference needs a store both hosts reach (pagefile, sqlite or redis); a memory store is the source pager\'s own', COMMAND);
    const report = await runMigration({ pages, target, store, transfer, mode, ops: integerFlag(COMMAND, 'ops', values['ops'], 20_000, 0, 10_000_000), seed: integerFlag(COMMAND, 'seed', values['seed'], 1, 0, 0xffff_ffff) });
    io.out(values['json'] === true ? `${JSON.stringify(report)}\n` : text(report));
    return ok(report) ? 0 : 1;
  },
};

function ok(r: MigrationRunReport): boolean {
  return r.outcome === 'migrated' && r.integrity !== undefined && r.integrity.mismatches === 0 && r.invariantViolations === 0;
}

function text(r: MigrationRunReport): string {
  const lines = [
    `guest           ${r.pages} pages, ${r.pagedOutBefore} paged out before, store ${r.store}, ${r.transfer}, ${r.mode}`,
    `rounds          ${r.rounds}${r.mode === 'postcopy' ? ' (the last: the switch-over)' : ''}`,
    `sent            ${r.pagesSent} pages, ${r.bytesSent} bytes; ${r.byReference} by reference, ${r.streamed} streamed from the store`,
    `downtime        ${r.downtimeMs} ms of ${r.totalMs} ms (virtual, 10 GbE)`,
  ];
  const p = r.postcopy;
  if (p !== undefined) lines.push(`post-copy       ${p.owed} pages owed at the resume: ${p.requested} sent on request (${p.requests} requests), ${p.pushed} pushed; ${p.recoveries} reconnections; ${p.ms} ms`);
  if (r.integrity !== undefined) lines.push(`destination     ${r.integrity.checked} pages checked (${r.integrity.pagedOut} paged out), ${r.integrity.mismatches} wrong; ${r.invariantViolations} invariant violations`);
  const failure = r.guestLost ? `the guest is lost (its source domain stays paused as at the switch-over): ${r.error}` : `the guest stays at the source: ${r.error}`;
  lines.push(ok(r) ? 'ok: the guest runs on the destination with every page intact' : `FAILED: ${r.outcome === 'failed' ? failure : 'pages or invariants broken on the destination'}`);
  return `${lines.join('\n')}\n`;
}
