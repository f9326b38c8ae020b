import { crc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { encodeMigrationHeader, encodeMigrationRecord, isPagevisorError, MIGRATION_BATCH_PAGES, MIGRATION_PAGE, MigrationStreamReader, type MigrationError, type MigrationRecord } from '../src/index.js';

const HEADER = { domainType: 'hvm', gfns: 4096 } as const;

function page(fill: number): Uint8Array {
  return new Uint8Array(4096).fill(fill);
}

/** A stream of every record type: two pages with data and one invalid, a paged page streamed, two by reference, a round, three missing for post-copy, a request, END. */
function sampleRecords(): MigrationRecord[] {
  const pages = new Uint8Array(2 * 4096);
  pages.set(page(0xa1), 0);
  pages.set(page(0xb2), 4096);
  return [
    { type: 'page-data', count: 3, gfns: Uint32Array.of(5, 6, 7), kinds: Uint8Array.of(MIGRATION_PAGE.normal, MIGRATION_PAGE.invalid, MIGRATION_PAGE.normal), pages },
    { type: 'paged-data', count: 1, gfns: Uint32Array.of(9), pages: page(0xc3) },
    { type: 'store-ref', store: '{"name":"pagefile","path":"/srv/g7.pagefile"}' },
    { type: 'paged-ref', count: 2, gfns: Uint32Array.of(100, 4095) },
    { type: 'round', round: 1, pages: 6 },
    { type: 'postcopy-missing', count: 3, gfns: Uint32Array.of(8, 10, 11) },
    { type: 'page-request', count: 1, gfns: Uint32Array.of(10) },
    { type: 'end' },
  ];
}

function sampleStream(records = sampleRecords()): Uint8Array {
  return new Uint8Array(Buffer.concat([encodeMigrationHeader(HEADER), ...records.map(encodeMigrationRecord)])); // a copy: Buffer.slice would not copy
}

function failure(run: () => void): MigrationError {
  try {
    run();
  } catch (error) {
    if (isPagevisorError(error) && error.code.startsWith('MIGRATION_')) return error as MigrationError;
    throw error;
  }
  throw new Error('expected a MigrationError');
}

function readAll(bytes: Uint8Array, chunk = bytes.length): MigrationRecord[] {
  const reader = new MigrationStreamReader();
  const out: MigrationRecord[] = [];
  for (let at = 0; at < bytes.length; at += chunk) out.push(...reader.push(bytes.subarray(at, at + chunk)));
  reader.finish();
  return out;
}

describe('the migration stream', () => {
  it('round-trips every record type, whatever the chunk sizes', () => {
    const stream = sampleStream();
    for (const chunk of [stream.length, 4096, 7, 1]) {
      const records = readAll(stream, chunk);
      expect(records.map((r) => r.type)).toEqual(['page-data', 'paged-data', 'store-ref', 'paged-ref', 'round', 'postcopy-missing', 'page-request', 'end']);
      const data = records[0] as Extract<MigrationRecord, { type: 'page-data' }>;
      expect([...data.gfns, ...data.kinds]).toEqual([5, 6, 7, 0, 0xf, 0]);
      expect([data.pages.length, data.pages[0], data.pages[4096]]).toEqual([8192, 0xa1, 0xb2]);
      expect(records[2]).toEqual({ type: 'store-ref', store: '{"name":"pagefile","path":"/srv/g7.pagefile"}' });
      expect([...(records[3] as Extract<MigrationRecord, { type: 'paged-ref' }>).gfns]).toEqual([100, 4095]);
      expect(records[4]).toEqual({ type: 'round', round: 1, pages: 6 });
      expect(records[5]).toEqual({ type: 'postcopy-missing', count: 3, gfns: Uint32Array.of(8, 10, 11) });
      expect(records[6]).toEqual({ type: 'page-request', count: 1, gfns: Uint32Array.of(10) });
    }
  });

  it("lays out its headers and PAGE_DATA as Xen's migration v2 does, with its own id and a CRC32", () => {
    const header = encodeMigrationHeader(HEADER);
    expect(Buffer.from(header.subarray(0, 16)).toString('hex')).toBe('ffffffffffffffff5047564d00000001'); // marker, "PGVM", version 1 (big-endian)
    expect(Buffer.from(header.subarray(24, 40)).toString('hex')).toBe('020000000c00000000100000' + '00000000'); // HVM, page shift 12, 4096 gfns
    const record = encodeMigrationRecord({ type: 'page-data', count: 1, gfns: Uint32Array.of(0x1234), kinds: Uint8Array.of(MIGRATION_PAGE.invalid), pages: new Uint8Array(0) });
    const view = new DataView(record.buffer);
    expect([view.getUint32(0, true), view.getUint32(4, true), record.length]).toEqual([1, 16, 32]); // PAGE_DATA, count + one pfn entry
    expect(Buffer.from(record.subarray(16)).toString('hex')).toBe('01000000000000003412000000000' + '0f0'); // count 1, pfn 0x1234 with XTAB in bits 63-60
  });

  it('refuses a stream that is not one: another id, a Xen image, a newer version, a page size it does not read', () => {
    const stream = sampleStream();
    const mutated = (at: number, byte: number) => {
      const copy = stream.slice();
      copy[at] = byte;
      return copy;
    };
    expect(failure(() => readAll(mutated(8, 0x41))).code).toBe('MIGRATION_HEADER');
    const xen = stream.slice();
    xen.set([0x58, 0x45, 0x4e, 0x46], 8);
    expect(failure(() => readAll(xen)).message).toMatch(/a Xen migration v2 image/);
    expect(failure(() => readAll(mutated(15, 2))).message).toMatch(/version 2; this reader knows version 1/);
    expect(failure(() => readAll(mutated(28, 13))).message).toMatch(/page shift 13/);
    expect(failure(() => readAll(mutated(2, 0))).offset).toBe(0);
  });

  it('finds every flipped bit of a record by its CRC32, naming the record and its offset', () => {
    const stream = sampleStream();
    const second = 40 + encodeMigrationRecord(sampleRecords()[0]!).length;
    for (const at of [second + 16, second + 16 + 4096, stream.length - 17]) {
      const copy = stream.slice();
      copy[at] = copy[at]! ^ 0x10;
      const error = failure(() => readAll(copy));
      expect(error.code).toBe('MIGRATION_CHECKSUM');
      if (at === second + 16) expect([error.record, error.offset]).toEqual([2, second]);
    }
  });

  it('refuses records that break the format even with a good CRC32', () => {
    const gfnBeyond: MigrationRecord = { type: 'paged-ref', count: 1, gfns: Uint32Array.of(4096) };
    const refFirst = sampleStream([{ type: 'paged-ref', count: 1, gfns: Uint32Array.of(1) }, { type: 'end' }]);
    expect(failure(() => readAll(refFirst)).message).toMatch(/PAGED_REF record 1 before any STORE_REF/);
    const beyond = sampleStream([{ type: 'store-ref', store: 's' }, gfnBeyond, { type: 'end' }]);
    expect(failure(() => readAll(beyond)).message).toMatch(/gfn 4096 is beyond the domain's 4096 gfns/);
    const requestBeyond = sampleStream([{ type: 'page-request', count: 2, gfns: Uint32Array.of(3, 5000) }, { type: 'end' }]);
    expect(failure(() => readAll(requestBeyond)).message).toMatch(/PAGE_REQUEST record 1, entry 1: gfn 5000 is beyond/);
    // A gfn list carries no page bytes: a POSTCOPY_MISSING body with 4096 bytes more is refused.
    const padded = encodeMigrationRecord({ type: 'paged-data', count: 1, gfns: Uint32Array.of(2), pages: page(1) });
    new DataView(padded.buffer).setUint32(0, 0x4000_0005, true);
    expect(failure(() => readAll(new Uint8Array(Buffer.concat([encodeMigrationHeader(HEADER), retagged(padded), encodeMigrationRecord({ type: 'end' })])))).message).toMatch(/POSTCOPY_MISSING record 1: 4112 bytes for 1 entries and 0 pages \(16 expected\)/);
    // An unknown mandatory type fails; an unknown optional one (bit 31) is skipped, as in Xen.
    const unknown = (type: number) => {
      const bytes = encodeMigrationRecord({ type: 'end' });
      new DataView(bytes.buffer).setUint32(0, type, true);
      return Buffer.concat([encodeMigrationHeader(HEADER), retagged(bytes), encodeMigrationRecord({ type: 'end' })]);
    };
    expect(failure(() => readAll(unknown(0x99))).message).toMatch(/unknown mandatory record type 0x99/);
    expect(readAll(unknown(0x8000_0099)).map((r) => r.type)).toEqual(['end']);
    // A body length beyond 8 MiB is refused before anything is allocated for it.
    const huge = encodeMigrationRecord({ type: 'end' });
    new DataView(huge.buffer).setUint32(4, 0x7fff_ffff, true);
    expect(failure(() => new MigrationStreamReader().push(Buffer.concat([encodeMigrationHeader(HEADER), huge]))).message).toMatch(/2147483647-byte body; the most is 8388608/);
    expect(() => encodeMigrationRecord({ type: 'paged-ref', count: MIGRATION_BATCH_PAGES + 1, gfns: new Uint32Array(MIGRATION_BATCH_PAGES + 1) })).toThrow(RangeError);
  });

  it('says where a stream was cut, and refuses bytes after END; after an error it stays stopped', () => {
    const stream = sampleStream();
    for (const cut of [10, 40, 41, stream.length - 24]) {
      const error = failure(() => readAll(stream.subarray(0, cut)));
      expect(error.code).toBe('MIGRATION_TRUNCATED');
    }
    expect(failure(() => readAll(stream.subarray(0, stream.length - 16))).message).toMatch(/after record 7, before END/);
    const reader = new MigrationStreamReader();
    reader.push(stream);
    expect(reader.ended).toBe(true);
    expect(failure(() => reader.push(Uint8Array.of(0))).message).toMatch(/1 bytes after the END record/);
    expect(failure(() => reader.push(new Uint8Array(0))).message).toMatch(/after the END record/);
  });
});

/** A record whose type was changed after encoding, with its CRC32 made right again. */
function retagged(bytes: Uint8Array): Uint8Array {
  const copy = bytes.slice();
  const view = new DataView(copy.buffer);
  const length = view.getUint32(4, true);
  view.setUint32(8, crc32(copy.subarray(16, 16 + length), crc32(copy.subarray(0, 8))), true);
  return copy;
}
