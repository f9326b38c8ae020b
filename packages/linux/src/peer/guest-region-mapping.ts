import { LinuxError } from '../linux-error.js';

/** Bytes in a page this handler serves: 4 KiB (Firecracker's hugetlbfs 2 MiB pages are refused). */
const PAGE = 4096;
/** Most mappings one handshake may announce (Firecracker sends one per guest memory region). */
export const MAX_MAPPINGS = 32;

/**
 * One region of a peer's guest memory, as Firecracker announces it on snapshot restore
 * (`GuestRegionUffdMapping`, src/vmm/src/persist.rs): its address in the peer, its size, its offset in
 * the memory file, and its page size.
 *
 * @example
 * ```ts
 * const mapping: GuestRegionUffdMapping = { base_host_virt_addr: 0x7f0000000000, size: 1 << 20, offset: 0, page_size: 4096, page_size_kib: 4 };
 * ```
 */
export interface GuestRegionUffdMapping {
  readonly base_host_virt_addr: number;
  readonly size: number;
  readonly offset: number;
  readonly page_size: number;
  readonly page_size_kib: number;
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
  readonly mappings: readonly GuestRegionUffdMapping[];
  /** Pages in the page space: the end of the last mapping's file range, over 4096. */
  readonly pages: number;
  /** Bytes of memory announced (the sum of the sizes). */
  readonly bytes: number;
}

const FIELDS = ['base_host_virt_addr', 'size', 'offset', 'page_size', 'page_size_kib'] as const;

function refuse(why: string): never {
  throw new LinuxError('LINUX_HANDSHAKE', `refused handshake: ${why}`);
}

/**
 * Parses and checks a peer's handshake message (a JSON array of {@link GuestRegionUffdMapping}):
 * every field a whole number, 4 KiB pages, page-aligned addresses, sizes and offsets, no two mappings
 * overlapping in the peer's memory or in the file, and no more than `maxBytes` of memory, announced
 * or spanned by the file offsets. Nothing is allocated before this passes.
 *
 * @param payload - the message's bytes
 * @param maxBytes - the most memory one peer may announce
 * @throws {@link LinuxError} `LINUX_HANDSHAKE` saying what is wrong
 *
 * @example
 * ```ts
 * const handshake = parseHandshake(Buffer.from('[{"base_host_virt_addr":140000000000000,"size":4096,"offset":0,"page_size":4096,"page_size_kib":4}]'), 1 << 30);
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
  for (const field of FIELDS) {
    const value = record[field];
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) refuse(`mapping ${i}: ${field} is ${JSON.stringify(value)}, not a whole number`);
  }
  const m = record as unknown as GuestRegionUffdMapping;
  if (m.page_size !== PAGE || m.page_size_kib !== PAGE / 1024) refuse(`mapping ${i}: pages of ${m.page_size} bytes (${m.page_size_kib} KiB); this handler serves 4 KiB pages only`);
  if (m.size === 0) refuse(`mapping ${i} has no bytes`);
  for (const field of ['base_host_virt_addr', 'size', 'offset'] as const) if (m[field] % PAGE !== 0) refuse(`mapping ${i}: ${field} ${m[field]} is not a multiple of 4096`);
  return { base_host_virt_addr: m.base_host_virt_addr, size: m.size, offset: m.offset, page_size: m.page_size, page_size_kib: m.page_size_kib };
}

function refuseOverlap(mappings: readonly GuestRegionUffdMapping[], start: 'base_host_virt_addr' | 'offset', where: string): void {
  const sorted = [...mappings].sort((a, b) => a[start] - b[start]);
  for (let i = 1; i < sorted.length; i++) if (sorted[i - 1]![start] + sorted[i - 1]!.size > sorted[i]![start]) refuse(`two mappings overlap ${where}`);
}
