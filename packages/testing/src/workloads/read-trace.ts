import { readFileSync } from 'node:fs';
import { endianness } from 'node:os';
import { basename } from 'node:path';
import * as zlib from 'node:zlib';
import { TraceError } from './trace-error.js';

/**
 * Trace formats Pagevisor reads (see the project's traces README):
 *
 * - `vscsi`: VSCSI v1 binary, 32-byte little-endian records `<u32 sn, u32 len, u32 nSG, u16 cmd, u16 ver,
 *   u64 lbn, u64 ts_us>`; page id = `lbn`.
 * - `lirs`: one decimal block number per line; a line `*` is a checkpoint marker and is skipped.
 * - `address`: `l 0x1fffff50 1` / `s ...` lines (kind, hex byte address, instruction gap); page id =
 *   address >> 12.
 * - `oracleGeneral`: libCacheSim's 24-byte records `<u32 time, u64 obj_id, u32 size, i64 next_access_vtime>`.
 * - `txt`: one decimal page id per line.
 * - `csv`: one decimal page id in a chosen column; a header row is skipped.
 *
 * @example
 * ```ts
 * const format: TraceFormat = 'oracleGeneral';
 * readTrace('trace.oracleGeneral.bin', { format });
 * ```
 */
export type TraceFormat = 'vscsi' | 'lirs' | 'address' | 'oracleGeneral' | 'txt' | 'csv';

/**
 * Every {@link TraceFormat}.
 *
 * @example
 * ```ts
 * if (!TRACE_FORMATS.includes(format as TraceFormat)) throw new Error(`unknown format ${format}`);
 * ```
 */
export const TRACE_FORMATS: readonly TraceFormat[] = ['vscsi', 'lirs', 'address', 'oracleGeneral', 'txt', 'csv'];

/**
 * How to read a trace.
 *
 * @example
 * ```ts
 * readTrace('trace.csv', { format: 'csv', column: 'lbn', skipBad: true });
 * ```
 */
export interface ReadTraceOptions {
  /** The format. */
  readonly format: TraceFormat;
  /** `csv` only: the column holding the page id, by 0-based index or header name (default 0). */
  readonly column?: number | string;
  /** Count and skip malformed records instead of throwing (default false). */
  readonly skipBad?: boolean;
  /** The name errors use for in-memory bytes (default `trace`). */
  readonly name?: string;
}

/**
 * A trace read into memory.
 *
 * @example
 * ```ts
 * const trace = readTrace('lirs-sprite.trace.gz', { format: 'lirs' });
 * console.log(trace.name, trace.ids.length, trace.skipped);
 * ```
 */
export interface Trace {
  /** The file name (or the name given). */
  readonly name: string;
  /** Its format. */
  readonly format: TraceFormat;
  /** Page ids in request order, as found in the file (below 2^53). */
  readonly ids: Float64Array;
  /** Malformed records skipped (only with `skipBad`). */
  readonly skipped: number;
}

const GZIP_MAGIC = [0x1f, 0x8b];
const ZSTD_MAGIC = [0x28, 0xb5, 0x2f, 0xfd];

function startsWith(bytes: Uint8Array, magic: readonly number[]): boolean {
  return magic.every((byte, i) => bytes[i] === byte);
}

/**
 * Reads a trace from a file path or bytes. gzip (and zstd, where this Node has it) is detected by its
 * magic bytes, whatever the file is called.
 *
 * @throws {@link TraceError} naming the file, the record number and its content for a malformed
 * record (unless `skipBad`), or the file for truncation and unsupported compression
 *
 * @example
 * ```ts
 * import { readTrace } from '@pagevisor/testing';
 *
 * const trace = readTrace('lirs-sprite.trace.gz', { format: 'lirs' });
 * trace.ids.length; // 133996
 * ```
 */
export function readTrace(source: string | Uint8Array, options: ReadTraceOptions): Trace {
  const name = typeof source === 'string' ? basename(source) : (options.name ?? 'trace');
  let bytes: Uint8Array;
  try {
    bytes = typeof source === 'string' ? readFileSync(source) : source;
  } catch (error) {
    throw new TraceError(name, 0, '', `cannot read: ${(error as Error).message}`);
  }
  bytes = decompress(name, bytes);
  const sink = new IdSink(name, options.skipBad === true);
  switch (options.format) {
    case 'vscsi':
      readRecords(name, bytes, 32, 16, sink);
      break;
    case 'oracleGeneral':
      readRecords(name, bytes, 24, 4, sink);
      break;
    case 'lirs':
      readLines(bytes, sink, (line) => (line === '*' ? null : decimal(line)));
      break;
    case 'txt':
      readLines(bytes, sink, decimal);
      break;
    case 'address':
      readLines(bytes, sink, address);
      break;
    case 'csv':
      readCsv(bytes, sink, options.column ?? 0);
      break;
    default:
      throw new TraceError(name, 0, String(options.format), `unknown trace format (formats: ${TRACE_FORMATS.join(', ')})`);
  }
  return { name, format: options.format, ids: sink.result(), skipped: sink.skipped };
}

function decompress(name: string, bytes: Uint8Array): Uint8Array {
  try {
    if (startsWith(bytes, GZIP_MAGIC)) return zlib.gunzipSync(bytes);
    if (startsWith(bytes, ZSTD_MAGIC)) {
      const zstd = (zlib as unknown as { zstdDecompressSync?: (b: Uint8Array) => Uint8Array }).zstdDecompressSync;
      if (zstd === undefined) throw new TraceError(name, 0, '', `zstd-compressed; this Node (${process.version}) has no zstd: decompress it first (zstd -d)`);
      return zstd(bytes);
    }
  } catch (error) {
    if (error instanceof TraceError) throw error;
    throw new TraceError(name, 0, '', `corrupt compressed data: ${(error as Error).message}`);
  }
  return bytes;
}

/** Collects ids into a growing Float64Array and counts or reports bad records. */
class IdSink {
  private ids = new Float64Array(1024);
  private count = 0;
  skipped = 0;

  constructor(
    private readonly name: string,
    private readonly skipBad: boolean,
  ) {}

  /** Makes room for `more` ids at once (a binary trace's record count is known from its length). */
  reserve(more: number): void {
    if (this.count + more <= this.ids.length) return;
    const grown = new Float64Array(this.count + more);
    grown.set(this.ids.subarray(0, this.count));
    this.ids = grown;
  }

  push(id: number): void {
    if (this.count === this.ids.length) {
      const grown = new Float64Array(this.ids.length * 2);
      grown.set(this.ids);
      this.ids = grown;
    }
    this.ids[this.count++] = id;
  }

  bad(record: number, content: string, why: string): void {
    if (!this.skipBad) throw new TraceError(this.name, record, content, why);
    this.skipped++;
  }

  result(): Float64Array {
    return this.count === this.ids.length ? this.ids : this.ids.slice(0, this.count);
  }
}

/** Above this, a 64-bit id's high half makes it 2^53 or more: not exact in a double. */
const HIGH_LIMIT = 0x20_0000;
const LITTLE_ENDIAN = endianness() === 'LE';

/**
 * Fixed-size records with a little-endian u64 page id at `idAt` in each. Read as 32-bit words where the
 * bytes are aligned for it (a file's own buffer is), through a DataView otherwise.
 */
function readRecords(name: string, bytes: Uint8Array, size: number, idAt: number, sink: IdSink): void {
  const records = Math.floor(bytes.length / size);
  sink.reserve(records);
  const aligned = LITTLE_ENDIAN && bytes.byteOffset % 4 === 0;
  const words = aligned ? new Uint32Array(bytes.buffer, bytes.byteOffset, (records * size) / 4) : undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const stride = size / 4;
  for (let r = 0, word = idAt / 4; r < records; r++, word += stride) {
    const low = words ? words[word]! : view.getUint32(r * size + idAt, true);
    const high = words ? words[word + 1]! : view.getUint32(r * size + idAt + 4, true);
    if (high >= HIGH_LIMIT) sink.bad(r + 1, Buffer.from(bytes.subarray(r * size, (r + 1) * size)).toString('hex'), 'page id is 2^53 or more');
    else sink.push(high * 0x1_0000_0000 + low);
  }
  const tail = bytes.length - records * size;
  if (tail !== 0) sink.bad(records + 1, Buffer.from(bytes.subarray(records * size)).toString('hex'), `truncated: ${tail} bytes of a ${size}-byte record`);
}

/** Parses one line to an id, `null` to skip it, or a string saying why it is bad. */
type LineParser = (line: string) => number | null | string;

function readLines(bytes: Uint8Array, sink: IdSink, parse: LineParser): void {
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
  let record = 0;
  let start = 0;
  while (start < text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    record++;
    const line = text.slice(start, end).replace(/\r$/, '').trim();
    start = end + 1;
    if (line === '') continue;
    const id = parse(line);
    if (typeof id === 'number') sink.push(id);
    else if (typeof id === 'string') sink.bad(record, line, id);
  }
}

function decimal(token: string): number | string {
  if (!/^\d+$/.test(token)) return 'not a decimal page id';
  const id = Number(token);
  return Number.isSafeInteger(id) ? id : 'page id is 2^53 or more';
}

function address(line: string): number | string {
  const match = /^([ls])\s+(0x)?([0-9a-fA-F]+)(\s+\d+)?$/.exec(line);
  if (match === null) return 'expected "l|s 0x<hex address> <count>"';
  return Number(BigInt(`0x${match[3]!}`) >> 12n);
}

function readCsv(bytes: Uint8Array, sink: IdSink, column: number | string): void {
  let index = typeof column === 'number' ? column : -1;
  let first = true;
  readLines(bytes, sink, (line) => {
    const cells = line.split(',').map((cell) => cell.trim().replace(/^"(.*)"$/, '$1'));
    if (first) {
      first = false;
      if (index < 0) {
        index = cells.indexOf(column as string);
        if (index < 0) return `no column ${JSON.stringify(column)} in the header`;
        return null;
      }
      if (!/^\d+$/.test(cells[index] ?? '')) return null; // a header row
    }
    const cell = cells[index];
    return cell === undefined ? `no column ${index}` : decimal(cell);
  });
}
