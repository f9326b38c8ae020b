import { describe, expect, it } from 'vitest';
import { BUILTIN_ABIS, MEM_EVENT_4_2, MEM_EVENT_AGE1, MEM_EVENT_AGE2, MEM_EVENT_AGE3, type PagingAbi, ringSlotsFor, VM_EVENT_V1, VM_EVENT_V7, xen } from '@pagevisor/core';

const { MEM_EVENT_FLAG_DROP_PAGE, MEM_EVENT_FLAG_DUMMY, MEM_EVENT_FLAG_EVICT_FAIL, MEM_EVENT_FLAG_FOREIGN, MEM_EVENT_FLAG_VCPU_PAUSED, MEM_PAGING_DROP_PAGE, MEM_PAGING_EVICT_FAIL, VM_EVENT_FLAG_FOREIGN, VM_EVENT_FLAG_RESET_FORK_MEMORY, VM_EVENT_FLAG_VCPU_PAUSED, VM_EVENT_REASON_MEM_PAGING } = xen;

// Entry sizes and offsets as read from Xen's headers; abi-layout-measured.test.ts checks the same
// layouts against sizeof/offsetof compiled by gcc at every release tag.
const REFERENCE_SIZES: Record<string, number> = {
  'mem_event/4.0': 40,
  'mem_event/age1': 40,
  'mem_event/age2': 40,
  'mem_event/age3': 40,
  'mem_event/4.2': 40,
  'mem_event/4.5': 296,
  'vm_event/v1': 312,
  'vm_event/v2': 312,
  'vm_event/v3': 312,
  'vm_event/v4': 376,
  'vm_event/v5': 384,
  'vm_event/v6': 384,
  'vm_event/v7': 400,
};

/** [field, offset, bytes] of the named fields, per layout (RELEASE-4.0.0, 4.1.0, 4.2.0 and 4.6.0 headers). */
const XEN_40_FIELDS = [
  ['gfn', 0, 8],
  ['p2mt', 16, 8],
  ['vcpuId', 24, 4],
  ['flags', 32, 8],
] as const;
const XEN_41_FIELDS = [
  ['type', 0, 2],
  ['flags', 2, 2],
  ['vcpuId', 4, 4],
  ['gfn', 8, 8],
  ['p2mt', 32, 4],
  ['reason', 38, 2],
] as const;
const XEN_42_FIELDS = [
  ['flags', 0, 4],
  ['vcpuId', 4, 4],
  ['gfn', 8, 8],
  ['p2mt', 32, 4],
  ['reason', 38, 2],
] as const;
const VM_EVENT_FIELDS = [
  ['version', 0, 4],
  ['flags', 4, 4],
  ['reason', 8, 4],
  ['vcpuId', 12, 4],
  ['gfn', 24, 8],
  ['p2mt', 32, 4],
  ['pagingFlags', 36, 4],
] as const;

function fieldsOf(abi: PagingAbi) {
  if (abi.family === 'vm_event') return VM_EVENT_FIELDS;
  if (abi.id === 'mem_event/4.0') return XEN_40_FIELDS;
  return abi.id === 'mem_event/4.2' || abi.id === 'mem_event/4.5' ? XEN_42_FIELDS : XEN_41_FIELDS;
}

function readLE(bytes: Uint8Array, offset: number, size: number): number {
  let value = 0;
  for (let i = size - 1; i >= 0; i--) value = value * 256 + bytes[offset + i]!;
  return value;
}

describe('ABI layouts match the reference tables', () => {
  it('has the 13 ABIs with the reference entry sizes and ring slots', () => {
    expect(BUILTIN_ABIS.map((abi) => abi.id)).toEqual(Object.keys(REFERENCE_SIZES));
    for (const abi of BUILTIN_ABIS) {
      expect(abi.entryBytes, abi.id).toBe(REFERENCE_SIZES[abi.id]);
      expect(abi.ringSlots, abi.id).toBe(abi.entryBytes === 40 ? 64 : 8);
    }
    expect(ringSlotsFor(24)).toBe(128); // Xen 4.0's i386 entry (not modelled): 128 slots
    expect(ringSlotsFor(296)).toBe(8); // Xen 4.5
  });

  it.each(BUILTIN_ABIS.map((abi) => [abi.id, abi] as const))('%s puts every named field at its reference offset', (_, abi) => {
    const fields = fieldsOf(abi);
    // Give each field a distinct value that fits its width and the ABI's enumerations.
    const values: Record<string, number> = {
      type: 2,
      flags: 1,
      vcpuId: 0x0a0b0c0d,
      gfn: 0x1f_2233_4455_6677,
      p2mt: 0x11223344,
      reason: 3,
      version: 0x55667788,
      pagingFlags: 2,
    };
    const message = abi.create(Object.fromEntries(fields.map(([name]) => [name, values[name]])));
    const bytes = abi.encodeBytes(message);
    const named = new Set<number>();
    for (const [name, offset, size] of fields) {
      expect(readLE(bytes, offset, size), `${abi.id} ${name} @${offset}`).toBe(values[name]);
      for (let i = 0; i < size; i++) named.add(offset + i);
      const layoutField = abi.layout.find((field) => field.name === name);
      expect(layoutField, `${abi.id} layout lists ${name}`).toMatchObject({ offset, size, opaque: false });
    }
    // Every byte that is not a named field is opaque in the layout and written as zero.
    for (let i = 0; i < abi.entryBytes; i++) if (!named.has(i)) expect(bytes[i], `${abi.id} byte ${i}`).toBe(0);
    const opaqueBytes = abi.layout.filter((field) => field.opaque).reduce((sum, field) => sum + field.size, 0);
    expect(opaqueBytes + named.size).toBe(abi.entryBytes);
  });

  it('exports the flag constants with Xen’s values', () => {
    expect([MEM_EVENT_FLAG_VCPU_PAUSED, MEM_EVENT_FLAG_DROP_PAGE, MEM_EVENT_FLAG_EVICT_FAIL, MEM_EVENT_FLAG_FOREIGN, MEM_EVENT_FLAG_DUMMY]).toEqual([
      1, 2, 4, 8, 16,
    ]);
    expect([VM_EVENT_FLAG_VCPU_PAUSED, VM_EVENT_FLAG_FOREIGN, VM_EVENT_FLAG_RESET_FORK_MEMORY]).toEqual([1, 2, 1 << 15]);
    expect([MEM_PAGING_DROP_PAGE, MEM_PAGING_EVICT_FAIL, VM_EVENT_REASON_MEM_PAGING]).toEqual([1, 2, 3]);
  });

  it('defines flags per age: EVICT_FAIL from age 3, FOREIGN and DUMMY only in 4.2', () => {
    expect(Object.keys(MEM_EVENT_AGE1.flagNames)).toEqual(['VCPU_PAUSED', 'DROP_PAGE']);
    expect(Object.keys(MEM_EVENT_AGE2.flagNames)).toEqual(['VCPU_PAUSED', 'DROP_PAGE']);
    expect(Object.keys(MEM_EVENT_AGE3.flagNames)).toEqual(['VCPU_PAUSED', 'DROP_PAGE', 'EVICT_FAIL']);
    expect(Object.keys(MEM_EVENT_4_2.flagNames)).toEqual(['VCPU_PAUSED', 'DROP_PAGE', 'EVICT_FAIL', 'FOREIGN', 'DUMMY']);
    expect(VM_EVENT_V1.flagNames.SET_REGISTERS).toBe(1 << 8);
    expect(VM_EVENT_V1.flagNames.SET_EMUL_INSN_DATA).toBeUndefined();
    expect(VM_EVENT_V7.flagNames.RESET_FORK_STATE).toBe(1 << 14);
  });

  it('describes each age’s protocol', () => {
    expect(MEM_EVENT_AGE1.protocol).toMatchObject({ nominateRefs: 1, resume: 'one-per-call', fullRing: 'threshold', ringThreshold: 4 });
    expect(MEM_EVENT_AGE2.protocol).toMatchObject({ nominateRefs: 2, foreignMapEnoent: 'any-paging-state' });
    expect(MEM_EVENT_AGE3.protocol).toMatchObject({ nominateRefs: 2, oneRequestPerGfn: true, evictFail: true, prepLoadsBuffer: true });
    expect(MEM_EVENT_AGE2.protocol.prepLoadsBuffer).toBe(true);
    expect(MEM_EVENT_AGE1.protocol.prepLoadsBuffer).toBe(false);
    expect(MEM_EVENT_4_2.protocol).toMatchObject({ resume: 'all-pending', fullRing: 'claim', dummyResponses: true });
    expect(VM_EVENT_V1.protocol).toMatchObject({ versionChecked: true, resumeNeedsVmEventPause: false });
    expect(VM_EVENT_V7.protocol).toMatchObject({ versionChecked: true, resumeNeedsVmEventPause: true });
    expect(MEM_EVENT_AGE1.protocol.p2mTypes.ram_paging_in_start).toBe(12);
    expect(MEM_EVENT_4_2.protocol.p2mTypes.ram_rw).toBe(0);
    expect(MEM_EVENT_4_2.protocol.p2mTypes.ram_paging_in_start).toBeUndefined();
  });
});
