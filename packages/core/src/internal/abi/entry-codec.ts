import { AbiError } from '../../errors/abi-error.js';
import { ByteView } from '../../abi/byte-view.js';
import { namedRangesOf, type FieldLayout } from '../../abi/field-layout.js';
import type { AbiFamily, PagingAbi } from '../../abi/paging-abi.js';
import type { PagingMessage } from '../../abi/paging-message.js';
import { ringSlotsFor } from '../../ring/ring-geometry.js';
import { maskOf, maxOf } from './field-checks.js';

/** What every codec is built from: the descriptive half of {@link PagingAbi}. */
export type EntryCodecSpec = Pick<
  PagingAbi,
  'id' | 'family' | 'generation' | 'xenReleases' | 'entryBytes' | 'layout' | 'flagNames' | 'pagingFlagNames' | 'reasonNames' | 'typeNames' | 'protocol'
>;

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
  private readonly offsets: ReadonlyMap<string, number>;
  readonly layout: readonly FieldLayout[];
  readonly flagNames: Readonly<Record<string, number>>;
  readonly pagingFlagNames: Readonly<Record<string, number>>;
  readonly reasonNames: Readonly<Record<string, number>>;
  readonly typeNames: Readonly<Record<string, number>>;
  readonly protocol: PagingAbi['protocol'];
  protected readonly flagMask: number;
  protected readonly pagingFlagMask: number;
  protected readonly maxReason: number;
  protected readonly maxType: number;
  /** Byte ranges of the named fields as `[start, end)` pairs, adjacent ranges merged. */
  private readonly namedRanges: Int32Array;

  constructor(spec: EntryCodecSpec) {
    this.family = spec.family;
    this.generation = spec.generation;
    this.id = spec.id;
    this.xenReleases = spec.xenReleases;
    this.entryBytes = spec.entryBytes;
    this.ringSlots = ringSlotsFor(spec.entryBytes);
    this.layout = Object.freeze(spec.layout.map((field) => Object.freeze({ ...field })));
    this.namedRanges = Int32Array.from(namedRangesOf(this.id, this.layout, spec.entryBytes));
    this.offsets = new Map(this.layout.map((field) => [field.name, field.offset]));
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

  /**
   * The offset of the layout's field `name`: codecs read and write at the offsets their layout states,
   * never at numbers of their own, so the layout (checked against Xen's compiled headers) is the one source.
   */
  protected offsetOf(name: string): number {
    const offset = this.offsets.get(name);
    if (offset === undefined) throw new Error(`${this.id}: the layout has no field ${name}`);
    return offset;
  }

  abstract create(fields?: Partial<M>): M;
  /** Throws an {@link AbiError} for any named field the layout cannot carry. */
  protected abstract validate(message: M): void;
  /** Writes the validated named fields. */
  protected abstract writeFields(message: M, data: DataView, entry: number): void;
  /** Reads and validates the named fields into `target`. */
  protected abstract readFields(data: DataView, entry: number, target: M): void;

  encode(message: M, view: ByteView, offset: number): void {
    this.checkRoom(view, offset);
    this.validate(message);
    const opaque = message.opaque;
    if (opaque !== undefined && opaque.length !== this.entryBytes) {
      throw new AbiError('ABI_LENGTH', `${this.id}: opaque has ${opaque.length} bytes, an entry has ${this.entryBytes}`, {
        abi: this.id,
        field: 'opaque',
        value: opaque.length,
      });
    }
    // One copy of the whole entry, then the named fields over it: the named bytes of opaque are zero
    // by definition, and overwritten anyway.
    if (opaque === undefined) view.bytes.fill(0, offset, offset + this.entryBytes);
    else view.bytes.set(opaque, offset);
    this.writeFields(message, view.data, offset);
  }

  decode(view: ByteView, offset: number): M {
    return this.decodeInto(view, offset, this.create());
  }

  decodeInto(view: ByteView, offset: number, target: M, keepOpaque = true): M {
    this.checkRoom(view, offset);
    this.readFields(view.data, offset, target);
    if (!keepOpaque) {
      target.opaque = undefined;
      return target;
    }
    let opaque = target.opaque;
    if (opaque === undefined || opaque.length !== this.entryBytes) opaque = target.opaque = new Uint8Array(this.entryBytes);
    const bytes = view.bytes;
    // A view of exactly one entry (a ring slot) is copied whole, with no subarray allocated.
    opaque.set(offset === 0 && bytes.length === this.entryBytes ? bytes : bytes.subarray(offset, offset + this.entryBytes));
    // The named fields' bytes are few (22 to 32): a plain loop beats a native fill call per range.
    const named = this.namedRanges;
    for (let i = 0; i < named.length; i += 2) {
      for (let at = named[i]!, end = named[i + 1]!; at < end; at++) opaque[at] = 0;
    }
    return target;
  }

  encodeBytes(message: M): Uint8Array {
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

  /**
   * Applies caller-given fields to a freshly made message. Messages are built as object literals, not
   * spreads: V8 keeps literal-made objects on fast, in-object fields, which makes reused decode targets
   * several times faster to write.
   */
  protected withFields(message: M, fields: Partial<M> | undefined): M {
    return fields === undefined ? message : Object.assign(message, fields);
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
