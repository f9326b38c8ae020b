import type { FieldLayout } from '../../abi/field-layout.js';
import { MEM_EVENT_TYPE_PAGING } from '../../abi/mem-event-constants.js';
import type { MemEvent41Message, MemEvent42Message } from '../../abi/paging-message.js';
import { checkEnum, checkFlags, checkGfn, checkUint16, checkUint32, readGfn, writeGfn } from './field-checks.js';
import { EntryCodec, type EntryCodecSpec } from './entry-codec.js';

/** Bytes 4–40 are the same in both mem_event layouts; only the first word differs. */
const MEM_EVENT_TAIL: readonly FieldLayout[] = [
  { name: 'vcpuId', xenName: 'vcpu_id', offset: 4, size: 4, opaque: false },
  { name: 'gfn', xenName: 'gfn', offset: 8, size: 8, opaque: false },
  { name: 'offset', xenName: 'offset', offset: 16, size: 8, opaque: true },
  { name: 'gla', xenName: 'gla', offset: 24, size: 8, opaque: true },
  { name: 'p2mt', xenName: 'p2mt', offset: 32, size: 4, opaque: false },
  { name: 'accessBits', xenName: 'access_r:1, access_w:1, access_x:1, gla_valid:1, available:12', offset: 36, size: 2, opaque: true },
  { name: 'reason', xenName: 'reason', offset: 38, size: 2, opaque: false },
];

/** Xen 4.1.x `mem_event_st` (RELEASE-4.1.0 `xen/include/public/mem_event.h`): `uint16 type`, `uint16 flags`, then the common tail. */
const MEM_EVENT_41_LAYOUT: readonly FieldLayout[] = [
  { name: 'type', xenName: 'type', offset: 0, size: 2, opaque: false },
  { name: 'flags', xenName: 'flags', offset: 2, size: 2, opaque: false },
  ...MEM_EVENT_TAIL,
];

/** Xen 4.2–4.4 `mem_event_st` (RELEASE-4.2.0 `xen/include/public/mem_event.h`): `type` removed (6eac9387aa), `uint32 flags` first. */
const MEM_EVENT_42_LAYOUT: readonly FieldLayout[] = [{ name: 'flags', xenName: 'flags', offset: 0, size: 4, opaque: false }, ...MEM_EVENT_TAIL];

/** Xen 4.5 `mem_event_st`: the 4.2 layout, then `struct mem_event_regs_x86 x86_regs` (256 bytes). */
const MEM_EVENT_45_LAYOUT: readonly FieldLayout[] = [...MEM_EVENT_42_LAYOUT, { name: 'x86Regs', xenName: 'x86_regs', offset: 40, size: 256, opaque: true }];

type MemEventMessage = MemEvent41Message | MemEvent42Message;

/**
 * Codec of the mem_event layouts: the 4.1 one (paging ages 1–3, with `type`), the 4.2–4.4 one, and 4.5's
 * (the 4.2 one with 256 bytes of registers after it). Which it is follows from whether the spec defines
 * event types, and its `entryBytes`.
 */
export class MemEventCodec<M extends MemEventMessage> extends EntryCodec<M> {
  private readonly hasType: boolean;
  private readonly typeAt: number;
  private readonly flagsAt: number;
  private readonly vcpuIdAt: number;
  private readonly gfnAt: number;
  private readonly p2mtAt: number;
  private readonly reasonAt: number;

  constructor(spec: Omit<EntryCodecSpec, 'family' | 'entryBytes' | 'layout' | 'pagingFlagNames'> & { readonly entryBytes?: 40 | 296 }) {
    const hasType = Object.keys(spec.typeNames).length > 0;
    const withRegs = spec.entryBytes === 296;
    const layout = hasType ? MEM_EVENT_41_LAYOUT : withRegs ? MEM_EVENT_45_LAYOUT : MEM_EVENT_42_LAYOUT;
    super({ ...spec, family: 'mem_event', entryBytes: withRegs ? 296 : 40, layout, pagingFlagNames: {} });
    this.hasType = hasType;
    this.typeAt = hasType ? this.offsetOf('type') : -1;
    this.flagsAt = this.offsetOf('flags');
    this.vcpuIdAt = this.offsetOf('vcpuId');
    this.gfnAt = this.offsetOf('gfn');
    this.p2mtAt = this.offsetOf('p2mt');
    this.reasonAt = this.offsetOf('reason');
  }

  create(fields?: Partial<M>): M {
    const message = this.hasType
      ? { type: MEM_EVENT_TYPE_PAGING, flags: 0, vcpuId: 0, gfn: 0, p2mt: 0, reason: 0, opaque: undefined }
      : { flags: 0, vcpuId: 0, gfn: 0, p2mt: 0, reason: 0, opaque: undefined };
    return this.withFields(message as M, fields);
  }

  protected validate(m: M): void {
    const id = this.id;
    if (this.hasType) {
      const type = (m as MemEvent41Message).type;
      checkUint16(id, 'type', this.typeAt, type);
      checkEnum(id, 'type', this.typeAt, type, this.maxType);
      checkUint16(id, 'flags', this.flagsAt, m.flags);
      checkFlags(id, 'flags', this.flagsAt, m.flags, this.flagMask);
    } else {
      checkUint32(id, 'flags', this.flagsAt, m.flags);
      checkFlags(id, 'flags', this.flagsAt, m.flags, this.flagMask);
    }
    checkUint32(id, 'vcpuId', this.vcpuIdAt, m.vcpuId);
    checkGfn(id, 'gfn', this.gfnAt, m.gfn);
    checkUint32(id, 'p2mt', this.p2mtAt, m.p2mt);
    checkUint16(id, 'reason', this.reasonAt, m.reason);
    checkEnum(id, 'reason', this.reasonAt, m.reason, this.maxReason);
  }

  protected writeFields(m: M, data: DataView, entry: number): void {
    if (this.hasType) {
      data.setUint16(entry + this.typeAt, (m as MemEvent41Message).type, true);
      data.setUint16(entry + this.flagsAt, m.flags, true);
    } else {
      data.setUint32(entry + this.flagsAt, m.flags, true);
    }
    data.setUint32(entry + this.vcpuIdAt, m.vcpuId, true);
    writeGfn(data, entry + this.gfnAt, m.gfn);
    data.setUint32(entry + this.p2mtAt, m.p2mt, true);
    data.setUint16(entry + this.reasonAt, m.reason, true);
  }

  protected readFields(data: DataView, entry: number, target: M): void {
    const id = this.id;
    let flags: number;
    if (this.hasType) {
      const type = data.getUint16(entry + this.typeAt, true);
      checkEnum(id, 'type', this.typeAt, type, this.maxType);
      flags = data.getUint16(entry + this.flagsAt, true);
      checkFlags(id, 'flags', this.flagsAt, flags, this.flagMask);
      (target as MemEvent41Message).type = type;
    } else {
      flags = data.getUint32(entry + this.flagsAt, true);
      checkFlags(id, 'flags', this.flagsAt, flags, this.flagMask);
    }
    const reason = data.getUint16(entry + this.reasonAt, true);
    checkEnum(id, 'reason', this.reasonAt, reason, this.maxReason);
    target.flags = flags;
    target.vcpuId = data.getUint32(entry + this.vcpuIdAt, true);
    target.gfn = readGfn(id, data, entry, this.gfnAt);
    target.p2mt = data.getUint32(entry + this.p2mtAt, true);
    target.reason = reason;
  }
}
