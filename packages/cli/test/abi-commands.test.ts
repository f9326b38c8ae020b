import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { BUILTIN_ABIS, VM_EVENT_V7 } from '@pagevisor/core';
import { EXIT_CODES } from '@pagevisor/cli';
import { cli } from './support/cli.js';


describe('pagevisor abi list', () => {
  it('prints one JSON line per ABI with id, age or version, entryBytes and ringSlots', async () => {
    const { code, out } = await cli('abi', 'list', '--json');
    expect(code).toBe(EXIT_CODES.ok);
    const rows = out.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(rows.map((row) => [row.id, row.entryBytes, row.ringSlots])).toEqual(BUILTIN_ABIS.map((abi) => [abi.id, abi.entryBytes, abi.ringSlots]));
    expect(rows.find((row) => row.id === 'mem_event/age3')).toMatchObject({ age: '3' });
    expect(rows[0]).toMatchObject({ id: 'mem_event/4.0', entryBytes: 40, ringSlots: 64 });
    expect(rows.at(-1)).toMatchObject({ version: 7, entryBytes: 400, ringSlots: 8 });
    expect(rows.find((row) => row.id === 'mem_event/4.5')).toMatchObject({ entryBytes: 296, ringSlots: 8 });
  });

  it('prints a table', async () => {
    const { out } = await cli('abi', 'list');
    expect(out.split('\n')[0]).toMatch(/^ID\s+AGE\/VERSION\s+ENTRY BYTES\s+RING SLOTS\s+XEN$/);
    expect(out).toMatch(/vm_event\/v4\s+version 4\s+376\s+8\s+4\.12/);
  });
});

describe('pagevisor abi encode / decode', () => {
  it('round-trips a message through hex for every ABI', async () => {
    for (const abi of BUILTIN_ABIS) {
      const message = JSON.stringify({ gfn: 0x1234, vcpuId: 3, flags: ['VCPU_PAUSED'], p2mt: 10 });
      const encoded = await cli('abi', 'encode', '--abi', abi.id, '--json', message);
      expect(encoded.code, encoded.err).toBe(0);
      expect(encoded.out.trim()).toHaveLength(abi.entryBytes * 2);
      const decoded = await cli('abi', 'decode', '--abi', abi.id, '--json', encoded.out.trim());
      expect(JSON.parse(decoded.out)).toMatchObject({ gfn: 0x1234, vcpuId: 3, flags: 1, p2mt: 10 });
      const again = await cli('abi', 'encode', '--abi', abi.id, '--json', decoded.out.trim());
      expect(again.out).toBe(encoded.out);
    }
  });

  it('matches the library encoding byte for byte and keeps opaque bytes', async () => {
    const bytes = VM_EVENT_V7.encodeBytes(VM_EVENT_V7.create({ gfn: 99, pagingFlags: 1 }));
    bytes[100] = 0xab; // a register byte
    const hex = Buffer.from(bytes).toString('hex');
    const decoded = await cli('abi', 'decode', '--abi', 'vm_event/v7', '--json', `0x${hex}`);
    expect(JSON.parse(decoded.out).opaque).toMatch(/ab/);
    const encoded = await cli('abi', 'encode', '--abi', 'vm_event/v7', '--json', decoded.out);
    expect(encoded.out.trim()).toBe(hex);
  });

  it('names flags, reasons and p2m types in text output', async () => {
    const hex = (await cli('abi', 'encode', '--abi', 'mem_event/4.2', '--json', '{"gfn":16,"flags":["DROP_PAGE","FOREIGN"],"p2mt":9}')).out.trim();
    const { out } = await cli('abi', 'decode', '--abi', 'mem_event/4.2', hex);
    expect(out).toContain('flags   0xa (DROP_PAGE|FOREIGN)');
    expect(out).toContain('p2mt    9 (ram_paging_out)');
    expect(out).toContain('gfn     0x10');
  });
});

describe('bad input exits 2 with one line', () => {
  const cases: [string, string[], RegExp][] = [
    ['bad hex', ['abi', 'decode', '--abi', 'mem_event/4.2', '00zz'], /bad hex digit "z" at character 3/],
    ['wrong length', ['abi', 'decode', '--abi', 'vm_event/v7', '0011'], /vm_event\/v7 entries are 400 bytes, got 2/],
    ['unknown ABI', ['abi', 'encode', '--abi', 'vm_event/v9', '--json', '{}'], /unknown paging ABI "vm_event\/v9"/],
    ['bad flag name', ['abi', 'encode', '--abi', 'mem_event/age2', '--json', '{"flags":["EVICT_FAIL"]}'], /mem_event\/age2 has no flag "EVICT_FAIL"/],
    ['bad flag bits', ['abi', 'encode', '--abi', 'mem_event/age1', '--json', '{"flags":8}'], /flags 0x8 at offset 2 has bits 0x8 this ABI does not define/],
    ['undefined flags on the wire', ['abi', 'decode', '--abi', 'mem_event/4.2', `80${'00'.repeat(39)}`], /flags 0x80 at offset 0/],
    ['gfn too large', ['abi', 'encode', '--abi', 'vm_event/v7', '--json', '{"gfn":9007199254740992}'], /gfn 0x20000000000000 at offset 24/],
    ['unknown field', ['abi', 'encode', '--abi', 'mem_event/4.2', '--json', '{"type":1}'], /mem_event\/4\.2 messages have no field "type"/],
    ['bad JSON', ['abi', 'encode', '--abi', 'mem_event/4.2', '--json', '{gfn'], /not valid JSON/],
    ['unknown flag', ['abi', 'list', '--bogus'], /Unknown option '--bogus'/],
    ['missing --abi', ['abi', 'decode', '00'], /missing --abi ID/],
    ['unknown command', ['abi', 'frobnicate'], /unknown command "abi frobnicate"/],
  ];
  it.each(cases)('%s', async (_, argv, message) => {
    const { code, out, err } = await cli(...argv);
    expect(code).toBe(EXIT_CODES.usage);
    expect(out).toBe('');
    expect(err).toMatch(message);
    expect(err.trim().split('\n')).toHaveLength(1);
    expect(err).not.toMatch(/\n\s+at /);
  });
});

describe('help', () => {
  it('has --help on every command, with examples', async () => {
    for (const argv of [['--help'], ['abi', '--help'], ['abi', 'list', '--help'], ['abi', 'encode', '--help'], ['abi', 'decode', '--help']]) {
      const { code, out } = await cli(...argv);
      expect(code, argv.join(' ')).toBe(0);
      expect(out).toMatch(/^Usage: pagevisor/);
    }
    expect((await cli('abi', 'encode', '--help')).out).toMatch(/Examples:/);
    expect((await cli()).code).toBe(EXIT_CODES.usage);
  });
});

describe('the pagevisor command of the repository (pnpm exec pagevisor)', () => {
  // `pnpm exec pagevisor <args>` runs node_modules/.bin/pagevisor, tools/dev-cli's launcher of the
  // built CLI; run it the same way so the test needs no global pnpm. It builds the packages first if a
  // source is newer than its build, so the first run in a fresh clone takes a build's time.
  const root = fileURLToPath(new URL('../../..', import.meta.url));
  const run = (args: string) => spawnSync('sh', ['-c', `${join(root, 'node_modules', '.bin', 'pagevisor')} ${args}`], { cwd: root, encoding: 'utf8' });

  it('runs the CLI from the repository root, exiting 2 on bad input without a stack trace', () => {
    const ok = run('abi list --json');
    expect(ok.status, ok.stderr).toBe(0);
    expect(ok.stdout.trim().split('\n')).toHaveLength(BUILTIN_ABIS.length);
    const bad = run('abi decode --abi vm_event/v7 xyz');
    expect(bad.status).toBe(2);
    expect(bad.stderr).toBe('pagevisor abi decode: <hex>: bad hex digit "x" at character 1 (see pagevisor abi decode --help)\n');
  }, 180_000);
});
