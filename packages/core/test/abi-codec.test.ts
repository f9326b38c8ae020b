import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  AbiError,
  BUILTIN_ABIS,
  ByteView,
  createVmEventAbi,
  isPagevisorError,
  MEM_EVENT_AGE1,
  VM_EVENT_V7,
  type PagingAbi,
  type PagingMessage,
} from '@pagevisor/core';
import { rejection } from './support/rejection.js';
import { QUICK, slowTestName } from '../../../vitest.quick.js';

const abis = BUILTIN_ABIS.map((abi) => [abi.id, abi] as const);

/** Arbitrary valid messages of one ABI, with random opaque bytes (zero under the named fields). */
function messageOf(abi: PagingAbi): fc.Arbitrary<PagingMessage> {
  const bitsOf = (names: Readonly<Record<string, number>>) =>
    fc.subarray(Object.values(names)).map((bits) => bits.reduce((a, b) => a | b, 0) >>> 0);
  const enumOf = (names: Readonly<Record<string, number>>) => fc.constantFrom(...Object.values(names));
  const u32 = fc.nat({ max: 0xffff_ffff });
  const opaque = fc.uint8Array({ minLength: abi.entryBytes, maxLength: abi.entryBytes }).map((bytes) => {
    for (const field of abi.layout) if (!field.opaque) bytes.fill(0, field.offset, field.offset + field.size);
    return bytes;
  });
  const common = {
    gfn: fc.maxSafeNat(),
    vcpuId: u32,
    p2mt: u32,
    flags: bitsOf(abi.flagNames),
    reason: Object.keys(abi.reasonNames).length > 0 ? enumOf(abi.reasonNames) : fc.constant(0), // Xen 4.0 has no reason
    opaque,
  };
  if (abi.family === 'vm_event') {
    return fc.record({ ...common, version: u32, pagingFlags: bitsOf(abi.pagingFlagNames) });
  }
  if (Object.keys(abi.typeNames).length > 0) return fc.record({ ...common, type: enumOf(abi.typeNames) });
  return fc.record(common);
}

describe.each(abis)('%s codec', (_, abi) => {
  it('decode(encode(m)) = m', () => {
    fc.assert(
      fc.property(messageOf(abi), (message) => {
        expect(abi.decodeBytes(abi.encodeBytes(message))).toEqual(message);
      }),
      { numRuns: 500 },
    );
  });

  it('encode(decode(b)) = b for every entry it accepts, at any offset of a larger buffer', () => {
    fc.assert(
      fc.property(messageOf(abi), fc.nat({ max: 64 }), (message, offset) => {
        const bytes = abi.encodeBytes(message);
        const buffer = new Uint8Array(offset + abi.entryBytes + 3);
        buffer.set(bytes, offset);
        const decoded = abi.decode(new ByteView(buffer), offset);
        expect(abi.encodeBytes(decoded)).toEqual(bytes);
      }),
      { numRuns: 300 },
    );
  });

  it('decodeInto reuses the target and can skip the opaque bytes', () => {
    const message = abi.create({ gfn: 0x1234, vcpuId: 2 });
    const view = new ByteView(abi.encodeBytes(message));
    const target = abi.create();
    const opaque = new Uint8Array(abi.entryBytes);
    target.opaque = opaque;
    expect(abi.decodeInto(view, 0, target)).toBe(target);
    expect(target.opaque).toBe(opaque);
    expect(target.gfn).toBe(0x1234);
    abi.decodeInto(view, 0, target, false);
    expect(target.opaque).toBeUndefined();
    expect(abi.encodeBytes(target)).toEqual(view.bytes);
  });

  it('rejects a gfn at or above 2^53 on decode and encode, naming the field', () => {
    const bytes = abi.encodeBytes(abi.create());
    const gfnOffset = abi.layout.find((field) => field.name === 'gfn')!.offset;
    new DataView(bytes.buffer).setUint32(gfnOffset + 4, 0x20_0000, true); // gfn = 2^53
    const error = rejection(() => abi.decodeBytes(bytes));
    expect(error).toBeInstanceOf(AbiError);
    expect(error).toMatchObject({ code: 'ABI_FIELD_RANGE', field: 'gfn', offset: gfnOffset, abi: abi.id, value: 2n ** 53n });
    expect((error as Error).message).toContain(`gfn 0x20000000000000 at offset ${gfnOffset}`);
    expect(rejection(() => abi.encodeBytes(abi.create({ gfn: 2 ** 53 })))).toMatchObject({ code: 'ABI_FIELD_RANGE', field: 'gfn' });
    expect(rejection(() => abi.encodeBytes(abi.create({ gfn: -1 })))).toMatchObject({ code: 'ABI_FIELD_RANGE', field: 'gfn' });
    expect(rejection(() => abi.encodeBytes(abi.create({ gfn: 1.5 })))).toMatchObject({ code: 'ABI_FIELD_RANGE', field: 'gfn' });
  });

  it('rejects flags the ABI does not define, on decode and encode', () => {
    const flagsField = abi.layout.find((field) => field.name === 'flags')!;
    const undefinedBit = [...Array(flagsField.size * 8).keys()].map((bit) => 2 ** bit).find((bit) => !Object.values(abi.flagNames).includes(bit))!;
    const bytes = abi.encodeBytes(abi.create());
    const data = new DataView(bytes.buffer);
    if (flagsField.size === 2) data.setUint16(flagsField.offset, undefinedBit, true);
    else data.setUint32(flagsField.offset, undefinedBit, true);
    expect(rejection(() => abi.decodeBytes(bytes))).toMatchObject({ code: 'ABI_BAD_FLAGS', field: 'flags', offset: flagsField.offset });
    expect(rejection(() => abi.encodeBytes(abi.create({ flags: undefinedBit })))).toMatchObject({ code: 'ABI_BAD_FLAGS' });
  });

  it('refuses a buffer that does not hold one entry', () => {
    expect(rejection(() => abi.decodeBytes(new Uint8Array(abi.entryBytes - 1)))).toMatchObject({ code: 'ABI_LENGTH' });
    expect(rejection(() => abi.decode(new ByteView(new Uint8Array(abi.entryBytes)), 1))).toMatchObject({ code: 'ABI_LENGTH' });
    expect(rejection(() => abi.encodeBytes({ ...abi.create(), opaque: new Uint8Array(3) }))).toMatchObject({ code: 'ABI_LENGTH', field: 'opaque' });
  });
});

describe('decoding untrusted bytes', () => {
  it.skipIf(QUICK)(slowTestName('gives a valid message or a typed error for 1,000,000 random entries'), () => {
    // A fixed-seed xorshift so the run is reproducible; fast-check would spend most of the time shrinking.
    let state = 0x9e3779b9;
    const next = () => {
      state ^= state << 13;
      state ^= state >>> 17;
      state ^= state << 5;
      return state >>> 0;
    };
    const counts = { ok: 0, typed: 0 };
    const perAbi = Math.ceil(1_000_000 / BUILTIN_ABIS.length);
    for (const abi of BUILTIN_ABIS) {
      const bytes = new Uint8Array(abi.entryBytes);
      const words = new Uint32Array(bytes.buffer);
      const view = new ByteView(bytes);
      const target = abi.create();
      for (let i = 0; i < perAbi; i++) {
        for (let w = 0; w < words.length; w++) words[w] = next();
        // Half the entries get a plausible header so decode also succeeds, not only fails.
        if (i & 1) for (const field of abi.layout) if (!field.opaque && field.name !== 'vcpuId' && field.name !== 'p2mt') bytes.fill(0, field.offset, field.offset + field.size);
        try {
          abi.decodeInto(view, 0, target);
          counts.ok++;
        } catch (error) {
          if (!isPagevisorError(error) || !(error instanceof AbiError) || error.abi !== abi.id) throw error;
          counts.typed++;
        }
      }
    }
    expect(counts.ok + counts.typed).toBeGreaterThanOrEqual(1_000_000);
    expect(counts.ok).toBeGreaterThan(100_000);
    expect(counts.typed).toBeGreaterThan(100_000);
  }, 60_000);
});

describe('making ABIs', () => {
  it('adds a future vm_event version from a spec', () => {
    const v8 = createVmEventAbi({ ...VM_EVENT_V7, version: 8, entryBytes: 416, xenReleases: 'next' });
    expect(v8).toMatchObject({ id: 'vm_event/v8', generation: '8', entryBytes: 416, ringSlots: 8 });
    expect(v8.decodeBytes(v8.encodeBytes(v8.create({ gfn: 9 })))).toMatchObject({ version: 8, gfn: 9 });
    expect(() => createVmEventAbi({ ...VM_EVENT_V7, version: 9, entryBytes: 40 })).toThrow(AbiError);
  });

  it('keeps the version of a vm_event message as read, for the receiver to check', () => {
    const bytes = VM_EVENT_V7.encodeBytes(VM_EVENT_V7.create({ version: 5 }));
    expect(VM_EVENT_V7.decodeBytes(bytes).version).toBe(5);
  });

  it('refuses a reason or type the age does not define', () => {
    expect(rejection(() => MEM_EVENT_AGE1.encodeBytes(MEM_EVENT_AGE1.create({ reason: 6 })))).toMatchObject({ code: 'ABI_BAD_VALUE', field: 'reason' });
    expect(rejection(() => MEM_EVENT_AGE1.encodeBytes(MEM_EVENT_AGE1.create({ type: 3 })))).toMatchObject({ code: 'ABI_BAD_VALUE', field: 'type' });
    const bytes = VM_EVENT_V7.encodeBytes(VM_EVENT_V7.create());
    bytes[8] = 17;
    expect(rejection(() => VM_EVENT_V7.decodeBytes(bytes))).toMatchObject({ code: 'ABI_BAD_VALUE', field: 'reason', offset: 8, value: 17 });
  });
});

