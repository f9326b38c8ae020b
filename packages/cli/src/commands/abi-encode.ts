import type { Command } from '../command.js';
import { toHex } from '../hex.js';
import { messageFromJson } from '../message-json.js';
import { UsageError } from '../usage-error.js';
import { abiById } from './abi-by-id.js';

const COMMAND = 'abi encode';

/** `pagevisor abi encode`: a message given as JSON, printed as the hex bytes of one ring entry. */
export const abiEncodeCommand: Command = {
  path: ['abi', 'encode'],
  summary: 'encode a paging message (JSON) as the hex bytes of one ring entry',
  help: `Usage: pagevisor abi encode --abi ID --json '<message>'

Encodes one request/response of the given ABI and prints the entry as hex.
Fields left out take the defaults of a paging request (type PAGING, reason
MEM_PAGING and the ABI's version for vm_event); opaque bytes default to zero.

Fields: gfn, vcpuId, p2mt, flags, reason, plus type (mem_event ages 1-3) or
version and pagingFlags (vm_event), and opaque (hex, one whole entry).
flags and pagingFlags take a number or an array of flag names; reason and type
a number or a name.

Options:
  --abi ID          the ABI (see pagevisor abi list)
  --json MESSAGE    the message as a JSON object
  --help            show this help

Examples:
  pagevisor abi encode --abi vm_event/v7 --json '{"gfn": 4660, "flags": ["VCPU_PAUSED"]}'
  pagevisor abi encode --abi mem_event/age1 --json '{"gfn": 16, "vcpuId": 1, "flags": 1}'
`,
  options: { abi: { type: 'string' }, json: { type: 'string' } },
  positionals: false,
  run({ values }, io) {
    const abi = abiById(values.abi, COMMAND);
    if (typeof values.json !== 'string') throw new UsageError("missing --json '<message>'", COMMAND);
    io.out(toHex(abi.encodeBytes(messageFromJson(abi, values.json, COMMAND))) + '\n');
    return 0;
  },
};
