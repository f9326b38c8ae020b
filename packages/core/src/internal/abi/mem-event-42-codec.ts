import type { FieldLayout } from '../../abi/field-layout.js';
import type { MemEvent42Message } from '../../abi/paging-message.js';
import { checkEnum, checkFlags, checkGfn, checkUint16, checkUint32, readGfn, writeGfn } from './field-checks.js';
import { EntryCodec, type EntryCodecSpec } from './entry-codec.js';

/** Xen 4.2–4.4 `mem_event_st` (reference §3.3): `type` removed (6eac9387aa), flags widened and first. */
export const MEM_EVENT_42_LAYOUT: readonly FieldLayout[] = [
  { name: 'flags', xenName: 'flags', offset: 0, size: 4, opaque: false },
  { name: 'vcpuId', xenName: 'vcpu_id', offset: 4, size: 4, opaque: false },
  { name: 'gfn', xenName: 'gfn', offset: 8, size: 8, opaque: false },
  { name: 'offset', xenName: 'offset', offset: 16, size: 8, opaque: true },
  { name: 'gla', xenName: 'gla', offset: 24, size: 8, opaque: true },
  { name: 'p2mt', xenName: 'p2mt', offset: 32, size: 4, opaque: false },
  { name: 'accessBits', xenName: 'access_r:1, access_w:1, access_x:1, gla_valid:1, available:12', offset: 36, size: 2, opaque: true },
  { name: 'reason', xenName: 'reason', offset: 38, size: 2, opaque: false },
];

/** Codec of the 4.2–4.4 layout (`mem_event/4.2`). */
export class MemEvent42Codec extends EntryCodec<MemEvent42Message> {
  constructor(spec: Omit<EntryCodecSpec, 'family' | 'entryBytes' | 'layout' | 'pagingFlagNames' | 'typeNames'>) {
    super({ ...spec, family: 'mem_event', entryBytes: 40, layout: MEM_EVENT_42_LAYOUT, pagingFlagNames: {}, typeNames: {} });
  }

  create(fields?: Partial<MemEvent42Message>): MemEvent42Message {
    const message: MemEvent42Message = { flags: 0, vcpuId: 0, gfn: 0, p2mt: 0, reason: 0, opaque: undefined };
    return this.withFields(message, fields);
  }

  protected validate(m: MemEvent42Message): void {
    const id = this.id;
    checkUint32(id, 'flags', 0, m.flags);
    checkFlags(id, 'flags', 0, m.flags, this.flagMask);
    checkUint32(id, 'vcpuId', 4, m.vcpuId);
    checkGfn(id, 'gfn', 8, m.gfn);
    checkUint32(id, 'p2mt', 32, m.p2mt);
    checkUint16(id, 'reason', 38, m.reason);
    checkEnum(id, 'reason', 38, m.reason, this.maxReason);
  }

  protected writeFields(m: MemEvent42Message, data: DataView, entry: number): void {
    data.setUint32(entry, m.flags, true);
    data.setUint32(entry + 4, m.vcpuId, true);
    writeGfn(data, entry + 8, m.gfn);
    data.setUint32(entry + 32, m.p2mt, true);
    data.setUint16(entry + 38, m.reason, true);
  }

  protected readFields(data: DataView, entry: number, target: MemEvent42Message): void {
    const id = this.id;
    const flags = data.getUint32(entry, true);
    checkFlags(id, 'flags', 0, flags, this.flagMask);
    const reason = data.getUint16(entry + 38, true);
    checkEnum(id, 'reason', 38, reason, this.maxReason);
    target.flags = flags;
    target.vcpuId = data.getUint32(entry + 4, true);
    target.gfn = readGfn(id, data, entry, 8);
    target.p2mt = data.getUint32(entry + 32, true);
    target.reason = reason;
  }
}
