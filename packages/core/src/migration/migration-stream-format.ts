/**
 * The Pagevisor migration stream, version 1: the bytes a source host sends a destination host to move a
 * (possibly paged) domain. Shaped after Xen's migration v2 stream (docs/specs/libxc-migration-stream.pandoc
 * and tools/libxc/xc_sr_stream_format.h, Xen RELEASE-4.6.0, b3fc5edd): an image header, a domain header,
 * then records of `type`, `length`, body, padded to 8 bytes; Xen's END and PAGE_DATA records keep their
 * numbers and layouts. What differs, and why (docs/guides/migration.md has the whole layout):
 *
 * - its own id (`PGVM`), so neither tool mistakes the other's stream for its own;
 * - the domain header gives the domain's gfn count where Xen's gives the Xen version;
 * - every record header carries a CRC32 of the record (Xen's has none: a damaged page went unnoticed);
 * - records for a paged guest, which Xen's stream cannot express: pages held by reference in a store
 *   the destination can reach (`STORE_REF`, `PAGED_REF`), pages streamed from the source's store
 *   without being paged in (`PAGED_DATA`), and the end of each pre-copy round (`ROUND`);
 * - records for post-copy (QEMU's model): the gfns still at the source when the guest resumes on the
 *   destination (`POSTCOPY_MISSING`), and the destination's requests for them on the return path, a
 *   stream of the same format in the other direction (`PAGE_REQUEST`).
 */

/** Xen's image header marker: 8 bytes of ones (a legacy Xen image has a zero bit in them). */
export const MIGRATION_MARKER = 0xffff_ffff;
/** "PGVM" in ASCII, where Xen's stream has "XENF" (0x58454E46). */
export const MIGRATION_ID = 0x5047_564d;
/**
 * The version of the migration stream this code writes and reads (the image header's `version`).
 *
 * @example
 * ```ts
 * console.log(`migration stream v${MIGRATION_VERSION}`);
 * ```
 */
export const MIGRATION_VERSION = 1;
/** Image header (big-endian, as Xen's): marker u64, id u32, version u32, options u16, reserved 6 bytes. */
export const MIGRATION_IMAGE_HEADER_BYTES = 24;
/** Domain header (little-endian): type u32, page_shift u16, reserved u16, gfns u32, reserved u32. */
export const MIGRATION_DOMAIN_HEADER_BYTES = 16;
/** Record header: type u32, body length u32, CRC32 u32 of type, length and body, reserved u32. */
export const MIGRATION_RECORD_HEADER_BYTES = 16;
/** Records end on an 8-byte boundary (Xen's REC_ALIGN_ORDER 3). */
export const MIGRATION_RECORD_ALIGN = 8;
/** The longest record body (Xen's REC_LENGTH_MAX, 8 MiB): a reader allocates no more for one record. */
export const MIGRATION_RECORD_MAX_BYTES = 8 << 20;
/**
 * The most pages one PAGE_DATA, PAGED_DATA, PAGED_REF, POSTCOPY_MISSING or PAGE_REQUEST record lists (Xen's MAX_BATCH_SIZE,
 * tools/libxc/xg_save_restore.h).
 *
 * @example
 * ```ts
 * for (let at = 0; at < gfns.length; at += MIGRATION_BATCH_PAGES) send(gfns.subarray(at, at + MIGRATION_BATCH_PAGES));
 * ```
 */
export const MIGRATION_BATCH_PAGES = 1024;
/** Guest page size as a power of two: 4096-byte pages. */
export const MIGRATION_PAGE_SHIFT = 12;

/** Domain header `type`: Xen's DHDR_TYPE_X86_PV. */
export const MIGRATION_DOMAIN_PV = 1;
/** Domain header `type`: Xen's DHDR_TYPE_X86_HVM. */
export const MIGRATION_DOMAIN_HVM = 2;

/** Record types. END and PAGE_DATA are Xen's; Pagevisor's own sit at 0x4000_0000 and up (still mandatory). */
export const RECORD_END = 0x0000_0000;
export const RECORD_PAGE_DATA = 0x0000_0001;
export const RECORD_STORE_REF = 0x4000_0001;
export const RECORD_PAGED_REF = 0x4000_0002;
export const RECORD_PAGED_DATA = 0x4000_0003;
export const RECORD_ROUND = 0x4000_0004;
/** Post-copy: gfns whose pages are still at the source (sent at the switch-over, and back on a recovered connection). */
export const RECORD_POSTCOPY_MISSING = 0x4000_0005;
/** Post-copy, on the return path: gfns the destination's faults wait for (QEMU's MIG_RP_MSG_REQ_PAGES). */
export const RECORD_PAGE_REQUEST = 0x4000_0006;
/** Bit 31 of a record type: optional, a reader that does not know it skips it (Xen's rule). */
export const RECORD_OPTIONAL = 0x8000_0000;

/**
 * Page types of a PAGE_DATA entry, in bits 63–60 of its u64 (Xen's XEN_DOMCTL_PFINFO_* shifted by 32):
 * a `normal` page has its 4096 bytes in the record; a `broken` one (Xen's BROKEN) or an `invalid` one
 * (Xen's XTAB: not populated, ballooned out, or gone since it was listed) has none.
 *
 * @example
 * ```ts
 * const kinds = Uint8Array.of(MIGRATION_PAGE.normal, MIGRATION_PAGE.invalid);
 * ```
 */
export const MIGRATION_PAGE = Object.freeze({
  /** Xen's NOTAB: a page with its 4096 bytes in the record. */
  normal: 0x0,
  /** Xen's BROKEN: a frame the hardware found bad; no bytes. */
  broken: 0xd,
  /** Xen's XTAB: not part of the guest (never populated, ballooned out, gone meanwhile); no bytes. */
  invalid: 0xf,
});
