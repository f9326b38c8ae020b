import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { denseIds, readTrace, TraceError, type TraceFormat } from '@pagevisor/testing';

const fixture = (name: string) => new URL(`../fixtures/traces/${name}`, import.meta.url).pathname;

function rejection(run: () => unknown): TraceError {
  try {
    run();
  } catch (error) {
    if (error instanceof TraceError) return error;
    throw error;
  }
  throw new Error('expected a TraceError');
}

describe('the shipped traces read to the counts of the traces README', () => {
  it.each([
    ['cloudPhysicsIO.vscsi', 'vscsi', 113_872, 48_974],
    ['lirs-cpp.trace.gz', 'lirs', 9_047, 1_223],
    ['lirs-ps.trace.gz', 'lirs', 10_448, 3_083],
    ['lirs-sprite.trace.gz', 'lirs', 133_996, 7_075],
    ['lirs-2_pools.trace.gz', 'lirs', 100_000, 9_939],
    ['addr-gcc.trace.gz', 'address', 515_683, 294],
  ] as const)('%s (%s): %i requests, %i distinct pages', (file, format, requests, distinct) => {
    const trace = readTrace(fixture(file), { format });
    expect(trace.ids.length).toBe(requests);
    expect(denseIds(trace.ids).distinct).toBe(distinct);
    expect(trace.skipped).toBe(0);
  });

  it('detects gzip by its magic bytes, not the file name', () => {
    const bytes = readFileSync(fixture('lirs-cpp.trace.gz'));
    expect(readTrace(bytes, { format: 'lirs', name: 'no-extension' }).ids.length).toBe(9_047);
  });
});

describe('the other formats', () => {
  const text = (s: string) => new TextEncoder().encode(s);

  it('reads oracleGeneral records', () => {
    const bytes = new Uint8Array(48);
    const view = new DataView(bytes.buffer);
    view.setUint32(4, 77, true); // obj_id of record 1
    view.setUint32(24 + 4, 5, true);
    view.setUint32(24 + 8, 1, true); // obj_id of record 2 = 2^32 + 5
    expect([...readTrace(bytes, { format: 'oracleGeneral' }).ids]).toEqual([77, 2 ** 32 + 5]);
    // The same records at an odd offset in a bigger buffer (not aligned for 32-bit words), and one more
    // whose id is 2^53: the same ids, and the bad one is refused or skipped alike.
    const shifted = new Uint8Array(1 + 72).subarray(1);
    shifted.set(bytes);
    new DataView(shifted.buffer, shifted.byteOffset).setUint32(48 + 8, 0x20_0000, true);
    expect(() => readTrace(shifted, { format: 'oracleGeneral' })).toThrow(/record 3 .*page id is 2\^53 or more/);
    const skipped = readTrace(shifted, { format: 'oracleGeneral', skipBad: true });
    expect([...skipped.ids, skipped.skipped]).toEqual([77, 2 ** 32 + 5, 1]);
  });

  it('reads txt with CRLF, blank lines and a missing final newline; lirs skips * markers', () => {
    expect([...readTrace(text('3\r\n\r\n5\n7'), { format: 'txt' }).ids]).toEqual([3, 5, 7]);
    expect([...readTrace(text('1\n*\n2\n'), { format: 'lirs' }).ids]).toEqual([1, 2]);
  });

  it('reads a csv column by index or header name, skipping the header', () => {
    const csv = text('time,page,size\n1,40,4096\n2,41,4096\n');
    expect([...readTrace(csv, { format: 'csv', column: 'page' }).ids]).toEqual([40, 41]);
    expect([...readTrace(csv, { format: 'csv', column: 1 }).ids]).toEqual([40, 41]);
  });

  it('maps addresses to 4 KiB pages, loads and stores alike', () => {
    expect([...readTrace(text('l 0x1fffff50 1\ns 0x2000 3\n'), { format: 'address' }).ids]).toEqual([0x1ffff, 2]);
  });
});

describe('bad input is a TraceError naming the file, record and content', () => {
  const text = (s: string) => new TextEncoder().encode(s);
  const cases: [string, Uint8Array, TraceFormat, number, string, RegExp][] = [
    ['a word in a txt trace', text('12\nabc\n13\n'), 'txt', 2, 'abc', /not a decimal page id/],
    ['a bad address line', text('l 0x10 1\nx 0x20 1\n'), 'address', 2, 'x 0x20 1', /expected "l\|s 0x<hex address> <count>"/],
    ['a truncated vscsi file', new Uint8Array(33), 'vscsi', 2, '00', /truncated: 1 bytes of a 32-byte record/],
    ['a missing csv column', text('a,b\n1,2\n'), 'csv', 1, 'a,b', /no column "page"/],
  ];
  it.each(cases)('%s', (_, bytes, format, record, content, why) => {
    const error = rejection(() => readTrace(bytes, { format, name: 'bad.trace', column: format === 'csv' ? 'page' : undefined }));
    expect(error).toMatchObject({ code: 'TRACE_FORMAT', file: 'bad.trace', record, content });
    expect(error.message).toMatch(why);
    expect(error.message).toContain(`bad.trace: record ${record}`);
  });

  it('with skipBad, counts and skips bad records', () => {
    const trace = readTrace(text('12\nabc\n13\n?\n'), { format: 'txt', skipBad: true });
    expect([...trace.ids]).toEqual([12, 13]);
    expect(trace.skipped).toBe(2);
  });

  it('refuses corrupt gzip, zstd on a Node without it, an unknown format and a missing file', () => {
    const gz = gzipSync(text('1\n2\n'));
    expect(rejection(() => readTrace(gz.subarray(0, 12), { format: 'txt', name: 'cut.gz' })).message).toMatch(/cut\.gz: corrupt compressed data/);
    const zstd = new Uint8Array([0x28, 0xb5, 0x2f, 0xfd, 0, 0, 0, 0]);
    const zstdError = rejection(() => readTrace(zstd, { format: 'oracleGeneral', name: 'x.zst' }));
    expect(zstdError.message).toMatch(/x\.zst: (zstd-compressed|corrupt compressed data)/);
    expect(rejection(() => readTrace(text('1'), { format: 'nope' as TraceFormat })).message).toMatch(/unknown trace format/);
    expect(rejection(() => readTrace('/nonexistent/trace.txt', { format: 'txt' })).message).toMatch(/trace\.txt: cannot read/);
  });
});
