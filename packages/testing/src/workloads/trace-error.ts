import { PagevisorError } from '@pagevisor/core';

/**
 * A trace file that cannot be read: a malformed record, a truncated binary file, an unsupported
 * compression. Names the file, the record number (1-based) and the record's content.
 *
 * @example
 * ```ts
 * try {
 *   readTrace('bad.txt', { format: 'txt' });
 * } catch (error) {
 *   if (error instanceof TraceError) console.log(error.file, error.record, error.content);
 * }
 * ```
 */
export class TraceError extends PagevisorError {
  /** The file (or the name given for in-memory bytes). */
  readonly file: string;
  /** The 1-based record (line or binary record) at fault, or 0 for the file as a whole. */
  readonly record: number;
  /** The record's text, or its bytes in hex for binary formats. */
  readonly content: string;

  /**
   * @param file - the trace's name
   * @param record - 1-based record number, 0 for the whole file
   * @param content - the offending record
   * @param why - what is wrong with it
   */
  constructor(file: string, record: number, content: string, why: string) {
    super('TRACE_FORMAT', record > 0 ? `${file}: record ${record} ${JSON.stringify(content)}: ${why}` : `${file}: ${why}`);
    this.file = file;
    this.record = record;
    this.content = content;
  }
}
