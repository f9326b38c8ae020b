import type { FieldLayout } from '../../abi/field-layout.js';
import type { MemEvent41Message } from '../../abi/paging-message.js';
import { checkEnum, checkFlags, checkGfn, checkUint16, checkUint32, readGfn, writeGfn } from './field-checks.js';
import { EntryCodec, type EntryCodecSpec } from './entry-codec.js';
import { MEM_EVENT_TYPE_PAGING } from '../../abi/mem-event-constants.js';

/** Xen 4.1.x `mem_event_st` (reference §3.2): 40 bytes, identical on x86_64 and i386. */
export const MEM_EVENT_41_LAYOUT: readonly FieldLayout[] = [
  { name: 'type', xenName: 'type', offset: 0, size: 2, opaque: false },
  { name: 'flags', xenName: 'flags', offset: 2, size: 2, opaque: false },
  { name: 'vcpuId', xenName: 'vcpu_id', offset: 4, size: 4, opaque: false },
  { name: 'gfn', xenName: 'gfn', offset: 8, size: 8, opaque: false },
  { name: 'offset', xenName: 'offset', offset: 16, size: 8, opaque: true },
  { name: 'gla', xenName: 'gla', offset: 24, size: 8, opaque: true },
  { name: 'p2mt', xenName: 'p2mt', offset: 32, size: 4, opaque: false },
  { name: 'accessBits', xenName: 'access_r:1, access_w:1, access_x:1, gla_valid:1, available:12', offset: 36, size: 2, opaque: true },
  { name: 'reason', xenName: 'reason', offset: 38, size: 2, opaque: false },
];

/** Codec of the 4.1 layout, shared by paging ages 1, 2 and 3 (which differ in flags and protocol). */
export class MemEvent41Codec extends EntryCodec<MemEvent41Message> {
  constructor(spec: Omit<EntryCodecSpec, 'family' | 'entryBytes' | 'layout' | 'pagingFlagNames'>) {
    super({ ...spec, family: 'mem_event', entryBytes: 40, layout: MEM_EVENT_41_LAYOUT, pagingFlagNames: {} });
  }

  create(fields?: Partial<MemEvent41Message>): MemEvent41Message {
    const message: MemEvent41Message = {
      type: MEM_EVENT_TYPE_PAGING,
      flags: 0,
      vcpuId: 0,
      gfn: 0,
      p2mt: 0,
      reason: 0,
      opaque: undefined,
    };
    return this.withFields(message, fields);
  }

  protected validate(m: MemEvent41Message): void {
    const id = this.id;
    checkUint16(id, 'type', 0, m.type);
    checkEnum(id, 'type', 0, m.type, this.maxType);
    checkUint16(id, 'flags', 2, m.flags);
    checkFlags(id, 'flags', 2, m.flags, this.flagMask);
    checkUint32(id, 'vcpuId', 4, m.vcpuId);
    checkGfn(id, 'gfn', 8, m.gfn);
    checkUint32(id, 'p2mt', 32, m.p2mt);
    checkUint16(id, 'reason', 38, m.reason);
    checkEnum(id, 'reason', 38, m.reason, this.maxReason);
  }

  protected writeFields(m: MemEvent41Message, data: DataView, entry: number): void {
    data.setUint16(entry, m.type, true);
    data.setUint16(entry + 2, m.flags, true);
    data.setUint32(entry + 4, m.vcpuId, true);
    writeGfn(data, entry + 8, m.gfn);
    data.setUint32(entry + 32, m.p2mt, true);
    data.setUint16(entry + 38, m.reason, true);
  }

  protected readFields(data: DataView, entry: number, target: MemEvent41Message): void {
    const id = this.id;
    const type = data.getUint16(entry, true);
    checkEnum(id, 'type', 0, type, this.maxType);
    const flags = data.getUint16(entry + 2, true);
    checkFlags(id, 'flags', 2, flags, this.flagMask);
    const reason = data.getUint16(entry + 38, true);
    checkEnum(id, 'reason', 38, reason, this.maxReason);
    target.type = type;
    target.flags = flags;
    target.vcpuId = data.getUint32(entry + 4, true);
    target.gfn = readGfn(id, data, entry, 8);
    target.p2mt = data.getUint32(entry + 32, true);
    target.reason = reason;
  }
}
