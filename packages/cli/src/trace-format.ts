import type { TraceFormat } from '@pagevisor/testing';

/** The trace format a file's name suggests, for commands run without `--format`. */
export function guessTraceFormat(file: string): TraceFormat {
  if (/\.vscsi$/i.test(file)) return 'vscsi';
  if (/oracle/i.test(file)) return 'oracleGeneral';
  if (/lirs/i.test(file)) return 'lirs';
  if (/addr/i.test(file)) return 'address';
  if (/\.csv$/i.test(file)) return 'csv';
  return 'txt';
}
