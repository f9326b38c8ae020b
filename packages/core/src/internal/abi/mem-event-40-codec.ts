import { AbiError } from '../../errors/abi-error.js';
import type { FieldLayout } from '../../abi/field-layout.js';
import type { MemEvent40Message } from '../../abi/paging-message.js';
import { checkFlags, checkGfn, checkUint32, hex, readGfn, writeGfn } from './field-checks.js';
import { EntryCodec, type EntryCodecSpec } from './entry-codec.js';

/**
 * Xen 4.0 `mem_event_st` on x86-64 (RELEASE-4.0.0 `xen/include/public/mem_event.h`, offsets measured by
 * tools/xen-layouts): `unsigned long gfn, offset, p2mt; int vcpu_id;` 4 bytes of padding, `uint64_t
 * flags`. On i386 `unsigned long` is 4 bytes and the entry 24; only x86-64 is modelled. There is no
 * `reason` and no `type`.
 */
const MEM_EVENT_40_LAYOUT: readonly FieldLayout[] = [
  { name: 'gfn', xenName: 'gfn', offset: 0, size: 8, opaque: false },
  { name: 'offset', xenName: 'offset', offset: 8, size: 8, opaque: true },
  { name: 'p2mt', xenName: 'p2mt', offset: 16, size: 8, opaque: false },
  { name: 'vcpuId', xenName: 'vcpu_id', offset: 24, size: 4, opaque: false },
  { name: 'padding', xenName: '(padding before flags)', offset: 28, size: 4, opaque: true },
  { name: 'flags', xenName: 'flags', offset: 32, size: 8, opaque: false },
];

/**
 * Codec of Xen 4.0's mem_event layout. `p2mt` and `flags` are 64-bit on the wire and must fit 32 bits
 * (p2m types are below 16, 4.0 defines three flags); `reason` does not exist and is always 0.
 */
export class MemEvent40Codec extends EntryCodec<MemEvent40Message> {
  constructor(spec: Omit<EntryCodecSpec, 'family' | 'entryBytes' | 'layout' | 'pagingFlagNames' | 'typeNames'>) {
    super({ ...spec, family: 'mem_event', entryBytes: 40, layout: MEM_EVENT_40_LAYOUT, pagingFlagNames: {}, typeNames: {} });
  }

  create(fields?: Partial<MemEvent40Message>): MemEvent40Message {
    return this.withFields({ flags: 0, vcpuId: 0, gfn: 0, p2mt: 0, reason: 0, opaque: undefined }, fields);
  }

  protected validate(m: MemEvent40Message): void {
    const id = this.id;
    checkGfn(id, 'gfn', 0, m.gfn);
    checkUint32(id, 'p2mt', 16, m.p2mt);
    checkUint32(id, 'vcpuId', 24, m.vcpuId);
    checkUint32(id, 'flags', 32, m.flags);
    checkFlags(id, 'flags', 32, m.flags, this.flagMask);
    if (m.reason !== 0) {
      throw new AbiError('ABI_BAD_VALUE', `${id}: reason ${String(m.reason)}: Xen 4.0's mem_event has no reason field, only 0 can be sent`, {
        abi: id,
        field: 'reason',
        value: m.reason,
      });
    }
  }

  protected writeFields(m: MemEvent40Message, data: DataView, entry: number): void {
    writeGfn(data, entry, m.gfn);
    data.setUint32(entry + 16, m.p2mt, true);
    data.setUint32(entry + 20, 0, true);
    data.setUint32(entry + 24, m.vcpuId, true);
    data.setUint32(entry + 32, m.flags, true);
    data.setUint32(entry + 36, 0, true);
  }

  protected readFields(data: DataView, entry: number, target: MemEvent40Message): void {
    const id = this.id;
    const flags = data.getUint32(entry + 32, true);
    const flagsHigh = data.getUint32(entry + 36, true);
    if (flagsHigh !== 0) {
      throw new AbiError('ABI_BAD_FLAGS', `${id}: flags has high bits ${hex(flagsHigh)}_00000000 at offset 32 that this ABI does not define`, {
        abi: id,
        field: 'flags',
        offset: 32,
        value: BigInt(flagsHigh) * 0x1_0000_0000n + BigInt(flags),
      });
    }
    checkFlags(id, 'flags', 32, flags, this.flagMask);
    const p2mtHigh = data.getUint32(entry + 20, true);
    if (p2mtHigh !== 0) {
      throw new AbiError('ABI_FIELD_RANGE', `${id}: p2mt at offset 16 has high word ${hex(p2mtHigh)}; a p2m type fits 32 bits`, {
        abi: id,
        field: 'p2mt',
        offset: 16,
        value: p2mtHigh,
      });
    }
    target.gfn = readGfn(id, data, entry, 0);
    target.p2mt = data.getUint32(entry + 16, true);
    target.vcpuId = data.getUint32(entry + 24, true);
    target.flags = flags;
    target.reason = 0;
  }
}
