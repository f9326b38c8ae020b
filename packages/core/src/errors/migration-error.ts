import { PagevisorError, type PagevisorErrorOptions } from './pagevisor-error.js';

/**
 * Codes of {@link MigrationError}.
 *
 * - `MIGRATION_HEADER`: the stream does not start with a Pagevisor migration image header and domain
 *   header of a version this reader knows (wrong marker or id, a newer version, big-endian, a page
 *   size other than 4096, no gfns).
 * - `MIGRATION_RECORD`: a record breaks the format: an unknown record or page type, a body longer than
 *   the limit or shorter than its count says, a gfn beyond the domain, more pages than a batch holds,
 *   a record after `END`.
 * - `MIGRATION_CHECKSUM`: a record's CRC32 does not match its bytes (the stream was damaged in transit).
 * - `MIGRATION_TRUNCATED`: the stream ended inside a header or a record, or before its `END` record.
 *
 * @example
 * ```ts
 * if (isPagevisorError(error, 'MIGRATION_CHECKSUM')) console.log(`damaged at byte ${error.offset}`);
 * ```
 */
export type MigrationErrorCode = 'MIGRATION_HEADER' | 'MIGRATION_RECORD' | 'MIGRATION_CHECKSUM' | 'MIGRATION_TRUNCATED';

/**
 * Where in a migration stream a {@link MigrationError} was found.
 *
 * @example
 * ```ts
 * throw new MigrationError('MIGRATION_RECORD', 'unknown record type 0x99', { offset: 4096, record: 3 });
 * ```
 */
export interface MigrationErrorOptions extends PagevisorErrorOptions {
  /** Byte offset in the stream of the header or record at fault. */
  readonly offset: number;
  /** 1-based number of the record at fault, or 0 for the headers. */
  readonly record: number;
}

/**
 * A migration stream that cannot be restored from: the destination refuses it whole and keeps nothing
 * of it, and the source's guest goes on (docs/guides/migration.md).
 *
 * @example
 * ```ts
 * import { isPagevisorError } from '@pagevisor/core';
 *
 * try {
 *   reader.push(chunk);
 * } catch (e) {
 *   if (isPagevisorError(e, 'MIGRATION_TRUNCATED')) console.error(`stream cut at byte ${e.offset}`);
 * }
 * ```
 */
export class MigrationError extends PagevisorError {
  declare readonly code: MigrationErrorCode;
  /** Byte offset in the stream of the header or record at fault. */
  readonly offset: number;
  /** 1-based number of the record at fault, or 0 for the headers. */
  readonly record: number;

  /**
   * @param code - the kind of failure
   * @param message - what is wrong, naming the value found and the one expected
   * @param options - where in the stream, and the wrapped cause
   */
  constructor(code: MigrationErrorCode, message: string, options: MigrationErrorOptions) {
    super(code, message, options);
    this.offset = options.offset;
    this.record = options.record;
  }
}
