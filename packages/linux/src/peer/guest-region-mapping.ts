import { LinuxError } from '../linux-error.js';

/** Bytes in a page this handler serves: 4 KiB (Firecracker's hugetlbfs 2 MiB pages are refused). */
const PAGE = 4096;
/**
 * Most mappings one handshake may announce (Firecracker sends one per guest memory region).
 *
 * @example
 * ```ts
 * if (regions.length > MAX_MAPPINGS) throw new Error('split the guest memory into fewer regions');
 * ```
 */
export const MAX_MAPPINGS = 32;

/**
 * One region of a peer's guest memory, as Firecracker announces it on snapshot restore
 * (`GuestRegionUffdMapping`, src/vmm/src/persist.rs at 81b38b9): its address in the peer, its size,
 * its offset in the memory file, and its page size. Firecracker's code, not the field's name, says
 * what `page_size_kib` holds: the page size **in bytes**, like `page_size` (the name is a mistake
 * kept for compatibility, commit 07c07bd49). Releases before February 2024 (commit 06b9ab9c7) send
 * neither field; their pages are 4 KiB.
 *
 * @example
 * ```ts
 * const mapping: GuestRegionUffdMapping = { base_host_virt_addr: 0x7f0000000000, size: 1 << 20, offset: 0, page_size: 4096, page_size_kib: 4096 };
 * ```
 */
export interface GuestRegionUffdMapping {
  /** Where the region is mapped in the peer. */
  readonly base_host_virt_addr: number;
  /** Its bytes. */
  readonly size: number;
  /** Where its bytes are in the memory file (and in the peer's memfd). */
  readonly offset: number;
  /** Bytes per page (Firecracker from March 2025). */
  readonly page_size?: number;
  /** Bytes per page too, despite the name (Firecracker from February 2024; deprecated). */
  readonly page_size_kib?: number;
}

/**
 * A checked handshake: the mappings, and the page space they make (page `p` is byte `p * 4096` of the
 * memory file; the peer's memfd, if sent, is laid out the same way).
 *
 * @example
 * ```ts
 * const { mappings, pages } = parseHandshake(arrival.payload, 1 << 30);
 * ```
 */
export interface PeerHandshake {
  /** The mappings, checked. */
  readonly mappings: readonly GuestRegionUffdMapping[];
  /** Pages in the page space: the end of the last mapping's file range, over 4096. */
  readonly pages: number;
  /** Bytes of memory announced (the sum of the sizes). */
  readonly bytes: number;
}

const FIELDS = ['base_host_virt_addr', 'size', 'offset'] as const;
const PAGE_SIZE_FIELDS = ['page_size', 'page_size_kib'] as const;

function refuse(why: string): never {
  throw new LinuxError('LINUX_HANDSHAKE', `refused handshake: ${why}`);
}

/**
 * Parses and checks a peer's handshake message (a JSON array of {@link GuestRegionUffdMapping}):
 * every field a whole number, 4 KiB pages (both page size fields, where sent, 4096), page-aligned addresses, sizes and offsets, no two mappings
 * overlapping in the peer's memory or in the file, and no more than `maxBytes` of memory, announced
 * or spanned by the file offsets. Nothing is allocated before this passes.
 *
 * @param payload - the message's bytes
 * @param maxBytes - the most memory one peer may announce
 * @throws {@link LinuxError} `LINUX_HANDSHAKE` saying what is wrong
 *
 * @example
 * ```ts
 * const handshake = parseHandshake(Buffer.from('[{"base_host_virt_addr":140000000000000,"size":4096,"offset":0,"page_size":4096,"page_size_kib":4096}]'), 1 << 30);
 * ```
 */
export function parseHandshake(payload: Uint8Array, maxBytes: number): PeerHandshake {
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(payload));
  } catch (error) {
    refuse(`the message is not JSON (${(error as Error).message})`);
  }
  if (!Array.isArray(parsed) || parsed.length === 0) refuse('the message is not a non-empty JSON array of GuestRegionUffdMapping');
  if (parsed.length > MAX_MAPPINGS) refuse(`${parsed.length} mappings, more than the ${MAX_MAPPINGS} a handshake may have`);
  const mappings = parsed.map((entry: unknown, i) => checkMapping(entry, i));
  const bytes = mappings.reduce((sum, m) => sum + m.size, 0);
  const end = mappings.reduce((most, m) => Math.max(most, m.offset + m.size), 0);
  if (bytes > maxBytes || end > maxBytes) refuse(`the peer announces ${bytes} bytes of memory spanning ${end} bytes of its file; this handler's limit is ${maxBytes}`);
  refuseOverlap(mappings, 'base_host_virt_addr', 'in the peer\'s memory');
  refuseOverlap(mappings, 'offset', 'in the memory file');
  return { mappings, pages: end / PAGE, bytes };
}

function checkMapping(entry: unknown, i: number): GuestRegionUffdMapping {
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) refuse(`mapping ${i} is not an object`);
  const record = entry as Record<string, unknown>;
  const wholeNumber = (field: string, value: unknown) => {
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) refuse(`mapping ${i}: ${field} is ${JSON.stringify(value)}, not a whole number`);
  };
  for (const field of FIELDS) wholeNumber(field, record[field]);
  for (const field of PAGE_SIZE_FIELDS) {
    if (record[field] === undefined) continue;
    wholeNumber(field, record[field]);
    if (record[field] !== PAGE) refuse(`mapping ${i}: ${field} ${String(record[field])}: pages of ${String(record[field])} bytes; this handler serves 4 KiB pages only (no hugetlbfs)`);
  }
  const m = record as unknown as GuestRegionUffdMapping;
  if (m.size === 0) refuse(`mapping ${i} has no bytes`);
  for (const field of FIELDS) if (m[field] % PAGE !== 0) refuse(`mapping ${i}: ${field} ${m[field]} is not a multiple of 4096`);
  return { base_host_virt_addr: m.base_host_virt_addr, size: m.size, offset: m.offset, page_size: PAGE, page_size_kib: PAGE };
}

function refuseOverlap(mappings: readonly GuestRegionUffdMapping[], start: 'base_host_virt_addr' | 'offset', where: string): void {
  const sorted = [...mappings].sort((a, b) => a[start] - b[start]);
  for (let i = 1; i < sorted.length; i++) if (sorted[i - 1]![start] + sorted[i - 1]!.size > sorted[i]![start]) refuse(`two mappings overlap ${where}`);
}
