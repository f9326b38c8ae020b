import { describe, expect, it } from 'vitest';
import { AbiRegistry, BUILTIN_ABIS, createDefaultAbiRegistry, createVmEventAbi, MEM_EVENT_AGE1, MEM_EVENT_AGE3, VM_EVENT_V1, VM_EVENT_V5, VM_EVENT_V7, type VmEventMessage, xen } from '@pagevisor/core';
import { rejection } from './support/rejection.js';

const { VM_EVENT_FLAG_FAST_SINGLESTEP } = xen;

describe('ABI negotiation', () => {
  const registry = createDefaultAbiRegistry();

  it('uses the announced ABI when the pager supports it', () => {
    for (const abi of BUILTIN_ABIS) {
      const negotiated = registry.negotiate(abi.id, [abi.id]);
      expect(negotiated.wire).toBe(abi);
      expect(negotiated.pager).toBe(abi);
      expect(negotiated.adapter).toBeUndefined();
    }
  });

  it('bridges vm_event versions with an adapter that restamps the version', () => {
    const { wire, pager, adapter } = registry.negotiate('vm_event/v5', ['vm_event/v7']);
    expect([wire, pager]).toEqual([VM_EVENT_V5, VM_EVENT_V7]);
    const request = VM_EVENT_V5.decodeBytes(VM_EVENT_V5.encodeBytes(VM_EVENT_V5.create({ gfn: 77, vcpuId: 1, flags: 1 })));
    const seen = adapter!.fromWire(request) as VmEventMessage;
    expect(seen).toMatchObject({ version: 7, gfn: 77, vcpuId: 1, flags: 1 });
    expect(seen.opaque).toHaveLength(VM_EVENT_V7.entryBytes);
    const response = adapter!.toWire(VM_EVENT_V7.create({ gfn: 77, vcpuId: 1, flags: 1 })) as VmEventMessage;
    expect(VM_EVENT_V5.decodeBytes(VM_EVENT_V5.encodeBytes(response))).toMatchObject({ version: 5, gfn: 77 });
    // A version the sender did not own passes through, so Xen's own version check still sees it.
    expect((adapter!.toWire(VM_EVENT_V7.create({ version: 3 })) as VmEventMessage).version).toBe(3);
  });

  it('cannot bridge a flag the wire version does not define', () => {
    const { adapter } = registry.negotiate('vm_event/v1', ['vm_event/v7']);
    const response = adapter!.toWire(VM_EVENT_V7.create({ flags: VM_EVENT_FLAG_FAST_SINGLESTEP }));
    expect(rejection(() => VM_EVENT_V1.encodeBytes(response as VmEventMessage))).toMatchObject({ code: 'ABI_BAD_FLAGS' });
  });

  it('prefers the exact ABI, then the first bridgeable one in the pager’s order', () => {
    expect(registry.negotiate('vm_event/v5', ['vm_event/v7', 'vm_event/v5']).adapter).toBeUndefined();
    expect(registry.negotiate('vm_event/v5', ['mem_event/age3', 'vm_event/v6', 'vm_event/v7']).pager.id).toBe('vm_event/v6');
  });

  it('refuses mismatched paging ages and names both', () => {
    const error = rejection(() => registry.negotiate('mem_event/age1', ['mem_event/age3']));
    expect(error).toMatchObject({ code: 'ABI_MISMATCH', message: 'expected paging age 3, got 1' });
    expect(rejection(() => registry.negotiate('mem_event/4.2', ['mem_event/age2', 'mem_event/age3'])).message).toBe(
      'expected paging age 2 or 3, got 4.2',
    );
    expect(rejection(() => registry.negotiate('mem_event/age3', ['vm_event/v7'])).message).toBe(
      'expected paging ABI vm_event/v7, got mem_event/age3',
    );
  });

  it('words a vm_event mismatch by interface version', () => {
    const bare = new AbiRegistry(BUILTIN_ABIS); // no adapters
    expect(rejection(() => bare.negotiate('vm_event/v5', ['vm_event/v7']))).toMatchObject({
      code: 'ABI_MISMATCH',
      message: 'expected vm_event interface version 7, got 5',
    });
  });

  it('names unknown ABIs and refuses duplicates', () => {
    expect(rejection(() => registry.negotiate('vm_event/v9', ['vm_event/v7']))).toMatchObject({ code: 'ABI_UNKNOWN' });
    expect(rejection(() => registry.get('nope')).message).toContain('known: mem_event/4.0, mem_event/age1');
    expect(rejection(() => registry.register(MEM_EVENT_AGE1))).toMatchObject({ code: 'ABI_DUPLICATE' });
    expect(rejection(() => registry.registerAdapter(registry.adapter('vm_event/v7', 'vm_event/v1')!))).toMatchObject({ code: 'ABI_DUPLICATE' });
    expect(registry.has(MEM_EVENT_AGE3.id)).toBe(true);
  });

  it('gives each call its own registry', () => {
    const a = createDefaultAbiRegistry();
    const b = createDefaultAbiRegistry();
    a.register(createVmEventAbi({ ...VM_EVENT_V7, version: 99, xenReleases: 'test' }));
    expect(b.has('vm_event/v99')).toBe(false);
    expect(a.list()).toHaveLength(BUILTIN_ABIS.length + 1);
  });
});
