import type { PagingAbi, PagingMessage } from '@pagevisor/core';
import { parseHex, toHex } from './hex.js';
import { UsageError } from './usage-error.js';

/** A message as the CLI reads and prints it in JSON: numbers, and `opaque` as hex when not all zero. */
export type MessageJson = Record<string, number | string>;

/** The JSON keys a message of this ABI has, in layout order, plus `opaque`. */
function keysOf(abi: PagingAbi): string[] {
  return [...abi.layout.filter((field) => !field.opaque).map((field) => field.name), 'opaque'];
}

/** A field whose values are bit flags, with the names the ABI gives them. */
function flagTable(abi: PagingAbi, key: string): Readonly<Record<string, number>> | undefined {
  if (key === 'flags') return abi.flagNames;
  if (key === 'pagingFlags') return abi.pagingFlagNames;
  return undefined;
}

/** A field whose values are enumerated, with the names the ABI gives them. */
function enumTable(abi: PagingAbi, key: string): Readonly<Record<string, number>> | undefined {
  if (key === 'reason') return abi.reasonNames;
  if (key === 'type') return abi.typeNames;
  return undefined;
}

/**
 * Reads a message from JSON text. Flags may be a number or an array of flag names; `reason` and `type`
 * a number or a name; `opaque` a hex string of one whole entry. Absent fields take the ABI's defaults.
 *
 * @throws {@link UsageError} for bad JSON, an unknown key, or a value of the wrong kind
 */
export function messageFromJson(abi: PagingAbi, text: string, command: string): PagingMessage {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`--json: not valid JSON (${(error as Error).message})`, command);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new UsageError('--json: expected a JSON object with message fields', command);
  }
  const keys = keysOf(abi);
  const message: PagingMessage = abi.create();
  const fields = message as unknown as Record<string, unknown>;
  for (const [key, value] of Object.entries(parsed)) {
    if (!keys.includes(key)) throw new UsageError(`--json: ${abi.id} messages have no field "${key}" (fields: ${keys.join(', ')})`, command);
    if (key === 'opaque') {
      if (typeof value !== 'string') throw new UsageError('--json: opaque must be a hex string', command);
      fields.opaque = parseHex(value, '--json opaque', command);
      continue;
    }
    fields[key] = fieldValue(abi, key, value, command);
  }
  return message;
}

function fieldValue(abi: PagingAbi, key: string, value: unknown, command: string): number {
  if (typeof value === 'number') return value;
  const flags = flagTable(abi, key);
  if (flags !== undefined && Array.isArray(value)) {
    let bits = 0;
    for (const name of value) {
      const bit = typeof name === 'string' ? flags[name] : undefined;
      if (bit === undefined) {
        throw new UsageError(`--json: ${key}: ${abi.id} has no flag ${JSON.stringify(name)} (flags: ${Object.keys(flags).join(', ')})`, command);
      }
      bits |= bit;
    }
    return bits >>> 0;
  }
  const names = enumTable(abi, key);
  if (names !== undefined && typeof value === 'string') {
    const number = names[value];
    if (number === undefined) {
      throw new UsageError(`--json: ${key}: ${abi.id} has no ${key} ${JSON.stringify(value)} (${Object.keys(names).join(', ')})`, command);
    }
    return number;
  }
  const accepted = flags !== undefined ? 'a number or an array of flag names' : names !== undefined ? 'a number or a name' : 'a number';
  throw new UsageError(`--json: ${key} must be ${accepted}, got ${JSON.stringify(value)}`, command);
}

/** A message as JSON: its fields as numbers, `opaque` as hex only when some opaque byte is not zero. */
export function messageToJson(abi: PagingAbi, message: PagingMessage): MessageJson {
  const json: MessageJson = {};
  const fields = message as unknown as Record<string, number>;
  for (const key of keysOf(abi)) if (key !== 'opaque') json[key] = fields[key]!;
  if (message.opaque !== undefined && message.opaque.some((byte) => byte !== 0)) json.opaque = toHex(message.opaque);
  return json;
}

/** Names of the bits set in `value`, with any unnamed bits as hex. */
export function flagNamesOf(value: number, names: Readonly<Record<string, number>>): string {
  const parts = Object.entries(names)
    .filter(([, bit]) => (value & bit) !== 0)
    .map(([name]) => name);
  return parts.length > 0 ? parts.join('|') : 'none';
}

/** A message as aligned `name value` lines, with flag, reason, type and p2m type names. */
export function messageToText(abi: PagingAbi, message: PagingMessage): string {
  const json = messageToJson(abi, message);
  const p2mNames = Object.fromEntries(Object.entries(abi.protocol.p2mTypes).map(([name, number]) => [number, name]));
  const lines: [string, string][] = [['abi', abi.id]];
  for (const [key, value] of Object.entries(json)) {
    if (key === 'opaque') continue;
    const number = value as number;
    const flags = flagTable(abi, key);
    const names = enumTable(abi, key);
    let text = key === 'gfn' || flags !== undefined ? `0x${number.toString(16)}` : String(number);
    if (flags !== undefined) text += ` (${flagNamesOf(number, flags)})`;
    else if (names !== undefined) text += ` (${Object.keys(names).find((name) => names[name] === number) ?? 'unknown'})`;
    else if (key === 'p2mt') text += ` (${p2mNames[number] ?? 'unknown'})`;
    lines.push([key, text]);
  }
  lines.push(['opaque', json.opaque === undefined ? 'all zero' : String(json.opaque)]);
  const width = Math.max(...lines.map(([key]) => key.length));
  return lines.map(([key, text]) => `${key.padEnd(width)}  ${text}`).join('\n') + '\n';
}
