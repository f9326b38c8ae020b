/**
 * Where the CLI writes: standard output for results, standard error for diagnostics. Tests pass their
 * own to capture both.
 *
 * @example
 * ```ts
 * let out = '';
 * const code = await runCli(['abi', 'list', '--json'], { out: (text) => (out += text), err: () => undefined });
 * ```
 */
export interface CliIo {
  /** Writes to standard output. */
  readonly out: (text: string) => void;
  /** Writes to standard error. */
  readonly err: (text: string) => void;
}

/** The process's own standard output and error. */
export const processIo: CliIo = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
};
