import { BUILTIN_ABIS } from '@pagevisor/core';
import type { Command } from '../command.js';

/** `pagevisor abi list`: every paging ABI with its age or version, entry size and ring slots. */
export const abiListCommand: Command = {
  path: ['abi', 'list'],
  summary: 'list the paging ABIs (mem_event ages, vm_event versions)',
  help: `Usage: pagevisor abi list [--json]

Lists every paging ABI Pagevisor speaks: its id, its paging age (mem_event) or
interface version (vm_event), the size of one ring entry and the slots in a
4096-byte ring page.

Options:
  --json   one JSON object per line: id, family, age | version, entryBytes,
           ringSlots, xenReleases
  --help   show this help

Examples:
  pagevisor abi list
  pagevisor abi list --json | jq -r 'select(.ringSlots == 8) | .id'
`,
  options: { json: { type: 'boolean' } },
  positionals: false,
  run({ values }, io) {
    if (values.json === true) {
      for (const abi of BUILTIN_ABIS) {
        const generation = abi.family === 'mem_event' ? { age: abi.generation } : { version: Number(abi.generation) };
        io.out(
          JSON.stringify({ id: abi.id, family: abi.family, ...generation, entryBytes: abi.entryBytes, ringSlots: abi.ringSlots, xenReleases: abi.xenReleases }) +
            '\n',
        );
      }
      return 0;
    }
    const rows = [
      ['ID', 'AGE/VERSION', 'ENTRY BYTES', 'RING SLOTS', 'XEN'],
      ...BUILTIN_ABIS.map((abi) => [
        abi.id,
        // Only ages 1–3 are paging ages; mem_event/4.0, 4.2 and 4.5 are named by their Xen release.
        abi.family === 'vm_event' ? `version ${abi.generation}` : /^\d+$/.test(abi.generation) ? `age ${abi.generation}` : `Xen ${abi.generation}`,
        String(abi.entryBytes),
        String(abi.ringSlots),
        abi.xenReleases,
      ]),
    ];
    const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
    for (const row of rows) io.out(row.map((cell, column) => cell.padEnd(widths[column]!)).join('  ').trimEnd() + '\n');
    return 0;
  },
};
