import type { FieldLayout } from '../../abi/field-layout.js';
import type { VmEventMessage } from '../../abi/paging-message.js';
import { VM_EVENT_REASON_MEM_PAGING } from '../../abi/vm-event-constants.js';
import { checkEnum, checkFlags, checkGfn, checkUint32, readGfn, writeGfn } from './field-checks.js';
import { EntryCodec, type EntryCodecSpec } from './entry-codec.js';

/** Offset of `union data` (registers, emulation buffers) in every vm_event entry. */
const DATA_OFFSET = 56;

/**
 * `vm_event_st` (`xen/include/public/vm_event.h`; offsets checked against tools/xen-layouts), identical on x86_64 and i386; only the size of `union data`
 * changes between interface versions.
 */
export function vmEventLayout(entryBytes: number): readonly FieldLayout[] {
  return [
    { name: 'version', xenName: 'version', offset: 0, size: 4, opaque: false },
    { name: 'flags', xenName: 'flags', offset: 4, size: 4, opaque: false },
    { name: 'reason', xenName: 'reason', offset: 8, size: 4, opaque: false },
    { name: 'vcpuId', xenName: 'vcpu_id', offset: 12, size: 4, opaque: false },
    { name: 'altp2mIdx', xenName: 'altp2m_idx', offset: 16, size: 2, opaque: true },
    { name: 'pad', xenName: '_pad[3]', offset: 18, size: 6, opaque: true },
    { name: 'gfn', xenName: 'u.mem_paging.gfn', offset: 24, size: 8, opaque: false },
    { name: 'p2mt', xenName: 'u.mem_paging.p2mt', offset: 32, size: 4, opaque: false },
    { name: 'pagingFlags', xenName: 'u.mem_paging.flags', offset: 36, size: 4, opaque: false },
    { name: 'unionTail', xenName: 'u (bytes past vm_event_paging)', offset: 40, size: 16, opaque: true },
    { name: 'data', xenName: 'data (regs.x86, regs.arm, emul)', offset: DATA_OFFSET, size: entryBytes - DATA_OFFSET, opaque: true },
  ];
}

/** Codec of one `VM_EVENT_INTERFACE_VERSION`. */
export class VmEventCodec extends EntryCodec<VmEventMessage> {
  /** The interface version this codec stamps into messages it creates. */
  readonly version: number;
  private readonly versionAt: number;
  private readonly flagsAt: number;
  private readonly reasonAt: number;
  private readonly vcpuIdAt: number;
  private readonly gfnAt: number;
  private readonly p2mtAt: number;
  private readonly pagingFlagsAt: number;

  constructor(version: number, spec: Omit<EntryCodecSpec, 'family' | 'layout' | 'typeNames' | 'generation'>) {
    super({ ...spec, family: 'vm_event', generation: String(version), layout: vmEventLayout(spec.entryBytes), typeNames: {} });
    this.version = version;
    this.versionAt = this.offsetOf('version');
    this.flagsAt = this.offsetOf('flags');
    this.reasonAt = this.offsetOf('reason');
    this.vcpuIdAt = this.offsetOf('vcpuId');
    this.gfnAt = this.offsetOf('gfn');
    this.p2mtAt = this.offsetOf('p2mt');
    this.pagingFlagsAt = this.offsetOf('pagingFlags');
  }

  create(fields?: Partial<VmEventMessage>): VmEventMessage {
    const message: VmEventMessage = {
      version: this.version,
      flags: 0,
      reason: VM_EVENT_REASON_MEM_PAGING,
      vcpuId: 0,
      gfn: 0,
      p2mt: 0,
      pagingFlags: 0,
      opaque: undefined,
    };
    return this.withFields(message, fields);
  }

  protected validate(m: VmEventMessage): void {
    const id = this.id;
    checkUint32(id, 'version', this.versionAt, m.version);
    checkUint32(id, 'flags', this.flagsAt, m.flags);
    checkFlags(id, 'flags', this.flagsAt, m.flags, this.flagMask);
    checkUint32(id, 'reason', this.reasonAt, m.reason);
    checkEnum(id, 'reason', this.reasonAt, m.reason, this.maxReason);
    checkUint32(id, 'vcpuId', this.vcpuIdAt, m.vcpuId);
    checkGfn(id, 'gfn', this.gfnAt, m.gfn);
    checkUint32(id, 'p2mt', this.p2mtAt, m.p2mt);
    checkUint32(id, 'pagingFlags', this.pagingFlagsAt, m.pagingFlags);
    checkFlags(id, 'pagingFlags', this.pagingFlagsAt, m.pagingFlags, this.pagingFlagMask);
  }

  protected writeFields(m: VmEventMessage, data: DataView, entry: number): void {
    data.setUint32(entry + this.versionAt, m.version, true);
    data.setUint32(entry + this.flagsAt, m.flags, true);
    data.setUint32(entry + this.reasonAt, m.reason, true);
    data.setUint32(entry + this.vcpuIdAt, m.vcpuId, true);
    writeGfn(data, entry + this.gfnAt, m.gfn);
    data.setUint32(entry + this.p2mtAt, m.p2mt, true);
    data.setUint32(entry + this.pagingFlagsAt, m.pagingFlags, true);
  }

  protected readFields(data: DataView, entry: number, target: VmEventMessage): void {
    const id = this.id;
    // The version is not checked here: a wrong version is a protocol event (vm_event_resume drops the
    // response with "vm_event interface version mismatch"), so the receiver must be able to see it.
    const flags = data.getUint32(entry + this.flagsAt, true);
    checkFlags(id, 'flags', this.flagsAt, flags, this.flagMask);
    const reason = data.getUint32(entry + this.reasonAt, true);
    checkEnum(id, 'reason', this.reasonAt, reason, this.maxReason);
    const pagingFlags = data.getUint32(entry + this.pagingFlagsAt, true);
    checkFlags(id, 'pagingFlags', this.pagingFlagsAt, pagingFlags, this.pagingFlagMask);
    target.version = data.getUint32(entry + this.versionAt, true);
    target.flags = flags;
    target.reason = reason;
    target.vcpuId = data.getUint32(entry + this.vcpuIdAt, true);
    target.gfn = readGfn(id, data, entry, this.gfnAt);
    target.p2mt = data.getUint32(entry + this.p2mtAt, true);
    target.pagingFlags = pagingFlags;
  }
}
