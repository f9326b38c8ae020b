import type { Command } from '../command.js';
import { OFFLINE_SCENARIOS, runScenario } from '../offline/offline-scenarios.js';

/** `pagevisor offline demo`: seed 004's scenarios on the simulator, one line each. */
export const offlineDemoCommand: Command = {
  path: ['offline', 'demo'],
  summary: 'take failing frames away from PV and HVM guests, in seven scenarios',
  help: `Usage: pagevisor offline demo [--json]

Runs seven page-offline scenarios, each on a fresh simulated machine, through
an OfflineManager with the pv-exchange, hvm-relocate and migrate-required
handlers, and prints a header, one line each: scenario, handler, result (0
moved, -1 nothing changed, -2 the guest may be inconsistent, "declined"), the
frame's state afterwards, whether every page of the guest kept its content,
and whether that is the outcome the scenario expects (which it names), then a
verdict line. Four scenarios provoke a failure on purpose: their -1, -2 or
"declined" is the expected outcome.

  pv-exchange        a suspended PV guest's page: exchanged, frame offlined
  pv-granted         the frame is granted: refused (-1)
  pv-exchange-fails  XENMEM_exchange fails: PTEs restored (-1)
  pv-rewrite-fails   a PTE rewrite fails after the exchange (-2)
  hvm-relocate       an HVM guest with a pager: moved through paging
  hvm-local-migrate  the same on Xen 4.1's ABI, where paging cannot move it:
                     migrate-required migrates the guest to fresh frames
  hvm-no-paging      an HVM guest without paging: declined (live-migrate)

Options:
  --json            one JSON object per line
  --help            show this help

Exit codes: 0 every scenario ended as expected, 1 one did not.

Examples:
  pagevisor offline demo
  pagevisor offline demo --json
`,
  options: { json: { type: 'boolean' } },
  positionals: false,
  async run({ values }, io) {
    const json = values['json'] === true;
    const unexpected: string[] = [];
    if (!json) io.out(`${'scenario'.padEnd(18)} ${'handler'.padEnd(17)} ${'result'.padStart(8)}  ${'frame'.padEnd(15)} ${'content'.padEnd(9)}  as expected?\n`);
    for (const scenario of OFFLINE_SCENARIOS) {
      const { expected, expectedOutcome, ...line } = await runScenario(scenario);
      if (!expected) unexpected.push(line.scenario);
      if (json) io.out(`${JSON.stringify({ ...line, expected, expectedOutcome })}\n`);
      else io.out(`${line.scenario.padEnd(18)} ${String(line.handler).padEnd(17)} ${String(line.result).padStart(8)}  ${line.frameStatus.padEnd(15)} ${(line.contentPreserved ? 'preserved' : 'CHANGED').padEnd(9)}  ${expected ? 'yes' : `NO, expected ${expectedOutcome.handler} ${expectedOutcome.result}`}: ${expectedOutcome.why}\n`);
    }
    if (!json) {
      io.out(
        unexpected.length === 0
          ? `ok: all ${OFFLINE_SCENARIOS.length} scenarios ended as expected (the -1, -2 and declined results are the failures those scenarios provoke)\n`
          : `FAILED: ${unexpected.join(', ')} did not end as expected\n`,
      );
    }
    return unexpected.length === 0 ? 0 : 1;
  },
};
