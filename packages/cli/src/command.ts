import type { ParseArgsConfig } from 'node:util';
import type { CliIo } from './cli-io.js';
import type { Interrupt } from './interrupt.js';

/** Parsed flags and positional arguments of one command. */
export interface CommandArgs {
  readonly values: Readonly<Record<string, string | boolean | undefined>>;
  readonly positionals: readonly string[];
}

/** One `pagevisor` command. */
export interface Command {
  /** Words that select it (`['abi', 'list']`). */
  readonly path: readonly string[];
  /** One line for the command list. */
  readonly summary: string;
  /** The full `--help` text: usage, options, examples. */
  readonly help: string;
  /** Its flags, in `node:util` `parseArgs` form (`--help` is added to every command). */
  readonly options: NonNullable<ParseArgsConfig['options']>;
  /** Whether it takes positional arguments. */
  readonly positionals: boolean;
  /**
   * Runs it; resolves to the exit code. A command that runs long watches `interrupt.signal` and stops
   * gracefully when it aborts (the CLI then exits with 130 or 143).
   */
  run(args: CommandArgs, io: CliIo, interrupt: Interrupt): Promise<number> | number;
}
