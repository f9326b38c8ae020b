import { AbiError } from '../../errors/abi-error.js';
import { ByteView } from '../../abi/byte-view.js';
import { opaqueRangesOf, type FieldLayout } from '../../abi/field-layout.js';
import type { AbiFamily, PagingAbi } from '../../abi/paging-abi.js';
import type { PagingMessage, PagingMessageInput } from '../../abi/paging-message.js';
import type { PagingProtocol } from '../../abi/paging-protocol.js';
import { ringSlotsFor } from '../../ring/ring-geometry.js';
import { maskOf, maxOf } from './field-checks.js';

/** What every codec is built from. */
export interface EntryCodecSpec {
  readonly id: string;
  readonly family: AbiFamily;
  readonly generation: string;
  readonly xenReleases: string;
  readonly entryBytes: number;
  readonly layout: readonly FieldLayout[];
  readonly flagNames: Readonly<Record<string, number>>;
  readonly pagingFlagNames: Readonly<Record<string, number>>;
  readonly reasonNames: Readonly<Record<string, number>>;
  readonly typeNames: Readonly<Record<string, number>>;
  readonly protocol: PagingProtocol;
}

/**
 * The layout-independent half of every codec: bounds, opaque bytes, byte-array helpers. A subclass
 * reads, writes and validates the named fields of its layout.
 */
export abstract class EntryCodec<M extends PagingMessage> implements PagingAbi<M> {
  readonly id: string;
  readonly family: AbiFamily;
  readonly generation: string;
  readonly xenReleases: string;
  readonly entryBytes: number;
  readonly ringSlots: number;
  readonly layout: readonly FieldLayout[];
  readonly opaqueBytes: number;
  readonly flagNames: Readonly<Record<string, number>>;
  readonly pagingFlagNames: Readonly<Record<string, number>>;
  readonly reasonNames: Readonly<Record<string, number>>;
  readonly typeNames: Readonly<Record<string, number>>;
  readonly protocol: PagingProtocol;
  protected readonly flagMask: number;
  protected readonly pagingFlagMask: number;
  protected readonly maxReason: number;
  protected readonly maxType: number;
  /** Opaque byte ranges as `[start, end)` pairs. */
  private readonly opaqueRanges: Int32Array;

  constructor(spec: EntryCodecSpec) {
    this.family = spec.family;
    this.generation = spec.generation;
    this.id = spec.id;
    this.xenReleases = spec.xenReleases;
    this.entryBytes = spec.entryBytes;
    this.ringSlots = ringSlotsFor(spec.entryBytes);
    this.layout = Object.freeze(spec.layout.map((field) => Object.freeze({ ...field })));
    this.opaqueRanges = Int32Array.from(opaqueRangesOf(this.id, this.layout, spec.entryBytes));
    let opaqueBytes = 0;
    for (let i = 0; i < this.opaqueRanges.length; i += 2) opaqueBytes += this.opaqueRanges[i + 1]! - this.opaqueRanges[i]!;
    this.opaqueBytes = opaqueBytes;
    this.flagNames = Object.freeze({ ...spec.flagNames });
    this.pagingFlagNames = Object.freeze({ ...spec.pagingFlagNames });
    this.reasonNames = Object.freeze({ ...spec.reasonNames });
    this.typeNames = Object.freeze({ ...spec.typeNames });
    this.protocol = Object.freeze({ ...spec.protocol });
    this.flagMask = maskOf(spec.flagNames);
    this.pagingFlagMask = maskOf(spec.pagingFlagNames);
    this.maxReason = maxOf(spec.reasonNames);
    this.maxType = maxOf(spec.typeNames);
  }

  abstract create(fields?: Partial<M>): M;
  /** Throws an {@link AbiError} for any named field the layout cannot carry. */
  protected abstract validate(message: PagingMessageInput<M>): void;
  /** Writes the validated named fields. */
  protected abstract writeFields(message: PagingMessageInput<M>, data: DataView, entry: number): void;
  /** Reads and validates the named fields into `target`. */
  protected abstract readFields(data: DataView, entry: number, target: M): void;

  encode(message: PagingMessageInput<M>, view: ByteView, offset: number): void {
    this.checkRoom(view, offset);
    this.validate(message);
    const opaque = message.opaque;
    if (opaque !== undefined && opaque.length !== this.opaqueBytes) {
      throw new AbiError('ABI_LENGTH', `${this.id}: opaque has ${opaque.length} bytes, the layout keeps ${this.opaqueBytes}`, {
        abi: this.id,
        field: 'opaque',
        value: opaque.length,
      });
    }
    this.writeFields(message, view.data, offset);
    const ranges = this.opaqueRanges;
    const bytes = view.bytes;
    let at = 0;
    for (let i = 0; i < ranges.length; i += 2) {
      const start = offset + ranges[i]!;
      const end = offset + ranges[i + 1]!;
      if (opaque === undefined) bytes.fill(0, start, end);
      else bytes.set(opaque.subarray(at, at + end - start), start);
      at += end - start;
    }
  }

  decode(view: ByteView, offset: number): M {
    return this.decodeInto(view, offset, this.create());
  }

  decodeInto(view: ByteView, offset: number, target: M): M {
    this.checkRoom(view, offset);
    this.readFields(view.data, offset, target);
    let opaque = target.opaque;
    if (opaque.length !== this.opaqueBytes) opaque = target.opaque = new Uint8Array(this.opaqueBytes);
    const ranges = this.opaqueRanges;
    const bytes = view.bytes;
    let at = 0;
    for (let i = 0; i < ranges.length; i += 2) {
      const start = offset + ranges[i]!;
      const end = offset + ranges[i + 1]!;
      opaque.set(bytes.subarray(start, end), at);
      at += end - start;
    }
    return target;
  }

  encodeBytes(message: PagingMessageInput<M>): Uint8Array {
    const bytes = new Uint8Array(this.entryBytes);
    this.encode(message, new ByteView(bytes), 0);
    return bytes;
  }

  decodeBytes(bytes: Uint8Array): M {
    if (bytes.length !== this.entryBytes) {
      throw new AbiError('ABI_LENGTH', `${this.id}: an entry is ${this.entryBytes} bytes, got ${bytes.length}`, {
        abi: this.id,
        value: bytes.length,
      });
    }
    return this.decode(new ByteView(bytes), 0);
  }

  /** The common defaults of {@link PagingAbi.create}. */
  protected baseFields(): PagingMessage {
    return { gfn: 0, vcpuId: 0, p2mt: 0, flags: 0, reason: 0, opaque: new Uint8Array(this.opaqueBytes) };
  }

  private checkRoom(view: ByteView, offset: number): void {
    if (Number.isInteger(offset) && offset >= 0 && offset + this.entryBytes <= view.bytes.length) return;
    throw new AbiError(
      'ABI_LENGTH',
      `${this.id}: an entry of ${this.entryBytes} bytes at offset ${offset} does not fit a buffer of ${view.bytes.length}`,
      { abi: this.id, offset, value: view.bytes.length },
    );
  }
}
