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
  private readonly gfnAt: number;
  private readonly p2mtAt: number;
  private readonly vcpuIdAt: number;
  private readonly flagsAt: number;

  constructor(spec: Omit<EntryCodecSpec, 'family' | 'entryBytes' | 'layout' | 'pagingFlagNames' | 'typeNames'>) {
    super({ ...spec, family: 'mem_event', entryBytes: 40, layout: MEM_EVENT_40_LAYOUT, pagingFlagNames: {}, typeNames: {} });
    this.gfnAt = this.offsetOf('gfn');
    this.p2mtAt = this.offsetOf('p2mt');
    this.vcpuIdAt = this.offsetOf('vcpuId');
    this.flagsAt = this.offsetOf('flags');
  }

  create(fields?: Partial<MemEvent40Message>): MemEvent40Message {
    return this.withFields({ flags: 0, vcpuId: 0, gfn: 0, p2mt: 0, reason: 0, opaque: undefined }, fields);
  }

  protected validate(m: MemEvent40Message): void {
    const id = this.id;
    checkGfn(id, 'gfn', this.gfnAt, m.gfn);
    checkUint32(id, 'p2mt', this.p2mtAt, m.p2mt);
    checkUint32(id, 'vcpuId', this.vcpuIdAt, m.vcpuId);
    checkUint32(id, 'flags', this.flagsAt, m.flags);
    checkFlags(id, 'flags', this.flagsAt, m.flags, this.flagMask);
    if (m.reason !== 0) {
      throw new AbiError('ABI_BAD_VALUE', `${id}: reason ${String(m.reason)}: Xen 4.0's mem_event has no reason field, only 0 can be sent`, {
        abi: id,
        field: 'reason',
        value: m.reason,
      });
    }
  }

  protected writeFields(m: MemEvent40Message, data: DataView, entry: number): void {
    writeGfn(data, entry + this.gfnAt, m.gfn);
    data.setUint32(entry + this.p2mtAt, m.p2mt, true);
    data.setUint32(entry + this.p2mtAt + 4, 0, true);
    data.setUint32(entry + this.vcpuIdAt, m.vcpuId, true);
    data.setUint32(entry + this.flagsAt, m.flags, true);
    data.setUint32(entry + this.flagsAt + 4, 0, true);
  }

  protected readFields(data: DataView, entry: number, target: MemEvent40Message): void {
    const id = this.id;
    const flags = data.getUint32(entry + this.flagsAt, true);
    const flagsHigh = data.getUint32(entry + this.flagsAt + 4, true);
    if (flagsHigh !== 0) {
      throw new AbiError('ABI_BAD_FLAGS', `${id}: flags has high bits ${hex(flagsHigh)}_00000000 at offset ${this.flagsAt} that this ABI does not define`, {
        abi: id,
        field: 'flags',
        offset: this.flagsAt,
        value: BigInt(flagsHigh) * 0x1_0000_0000n + BigInt(flags),
      });
    }
    checkFlags(id, 'flags', this.flagsAt, flags, this.flagMask);
    const p2mtHigh = data.getUint32(entry + this.p2mtAt + 4, true);
    if (p2mtHigh !== 0) {
      throw new AbiError('ABI_FIELD_RANGE', `${id}: p2mt at offset ${this.p2mtAt} has high word ${hex(p2mtHigh)}; a p2m type fits 32 bits`, {
        abi: id,
        field: 'p2mt',
        offset: this.p2mtAt,
        value: p2mtHigh,
      });
    }
    target.gfn = readGfn(id, data, entry, this.gfnAt);
    target.p2mt = data.getUint32(entry + this.p2mtAt, true);
    target.vcpuId = data.getUint32(entry + this.vcpuIdAt, true);
    target.flags = flags;
    target.reason = 0;
  }
}
