/**
 * The `pagevisor` command line, also callable from code.
 *
 * @remarks
 * Install it with the package and run `pagevisor --help`; from code, {@link runCli} takes the same
 * arguments and returns the exit code.
 *
 * @packageDocumentation
 */

export { runCli, EXIT_CODES } from './run-cli.js';
export type { CliIo } from './cli-io.js';
export { handleSignals, Interrupt, type InterruptSignal } from './interrupt.js';
