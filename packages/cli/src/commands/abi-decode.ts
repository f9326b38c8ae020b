import type { Command } from '../command.js';
import { parseHex } from '../hex.js';
import { messageToJson, messageToText } from '../message-json.js';
import { UsageError } from '../usage-error.js';
import { abiById } from './abi-by-id.js';

const COMMAND = 'abi decode';

/** `pagevisor abi decode`: the hex bytes of one ring entry, printed as a message. */
export const abiDecodeCommand: Command = {
  path: ['abi', 'decode'],
  summary: 'decode the hex bytes of one ring entry into a paging message',
  help: `Usage: pagevisor abi decode --abi ID [--json] <hex>

Decodes one ring entry of the given ABI. The hex may start with 0x and contain
spaces; it must be exactly one entry long (see pagevisor abi list). Values the
ABI cannot hold (a gfn of 2^53 or more, undefined flags) are refused with the
field and its offset.

Options:
  --abi ID   the ABI (see pagevisor abi list)
  --json     print one JSON object (the form pagevisor abi encode --json reads)
  --help     show this help

Examples:
  pagevisor abi decode --abi mem_event/4.2 "$(pagevisor abi encode --abi mem_event/4.2 --json '{"gfn":7}')"
  pagevisor abi decode --abi mem_event/age1 --json 01000100000000000700000000000000000000000000000000000000000000000a00000000000000
`,
  options: { abi: { type: 'string' }, json: { type: 'boolean' } },
  positionals: true,
  run({ values, positionals }, io) {
    const abi = abiById(values.abi, COMMAND);
    if (positionals.length === 0) throw new UsageError('missing <hex>: the bytes of one entry', COMMAND);
    const bytes = parseHex(positionals.join(''), '<hex>', COMMAND);
    if (bytes.length !== abi.entryBytes) {
      throw new UsageError(`<hex>: ${abi.id} entries are ${abi.entryBytes} bytes, got ${bytes.length}`, COMMAND);
    }
    const message = abi.decodeBytes(bytes);
    io.out(values.json === true ? JSON.stringify(messageToJson(abi, message)) + '\n' : messageToText(abi, message));
    return 0;
  },
};
