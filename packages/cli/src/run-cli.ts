import { createRequire } from 'node:module';
import { parseArgs } from 'node:util';
import { isPagevisorError } from '@pagevisor/core';
import type { CliIo } from './cli-io.js';
import { processIo } from './cli-io.js';
import type { Command, CommandArgs } from './command.js';
import { COMMANDS } from './commands/index.js';
import { Interrupt } from './interrupt.js';
import { UsageError } from './usage-error.js';

/**
 * Exit codes of the `pagevisor` command.
 *
 * @example
 * ```ts
 * process.exitCode = await runCli(process.argv.slice(2)); // EXIT_CODES.ok, .failed or .usage
 * ```
 */
export const EXIT_CODES = Object.freeze({
  /** The command did what was asked. */
  ok: 0,
  /** A check the command ran failed, or an unexpected internal error occurred. */
  failed: 1,
  /** Bad usage or bad input: unknown command or flag, unparsable value, invalid bytes. */
  usage: 2,
  /** Stopped gracefully by SIGINT (Ctrl-C). */
  interrupted: 130,
  /** Stopped gracefully by SIGTERM. */
  terminated: 143,
});

const VERSION = (createRequire(import.meta.url)('../package.json') as { version: string }).version;

function topHelp(): string {
  const width = Math.max(...COMMANDS.map((command) => command.path.join(' ').length));
  return `Usage: pagevisor <command> [options]

Pagevisor: hypervisor memory paging, from the command line.

Commands:
${COMMANDS.map((command) => `  ${command.path.join(' ').padEnd(width)}  ${command.summary}`).join('\n')}

Options:
  --help      show help (also after any command: pagevisor abi list --help)
  --version   print the version
  --debug     print stack traces of errors

Exit codes: 0 ok, 1 check failed or internal error, 2 bad usage or bad input,
130/143 stopped gracefully by SIGINT/SIGTERM (a second one exits at once).
`;
}

function groupHelp(prefix: string[]): string {
  const commands = COMMANDS.filter((command) => prefix.every((word, i) => command.path[i] === word));
  const width = Math.max(...commands.map((command) => command.path.join(' ').length));
  return `Usage: pagevisor ${prefix.join(' ')} <command> [options]

Commands:
${commands.map((command) => `  ${command.path.join(' ').padEnd(width)}  ${command.summary}`).join('\n')}

Run pagevisor ${prefix.join(' ')} <command> --help for its options and examples.
`;
}

/**
 * Runs the `pagevisor` command line.
 *
 * @param argv - the arguments after the program name
 * @param io - where to write output and diagnostics (default: the process's stdout and stderr)
 * @param interrupt - stops a long command gracefully when it receives a signal (the `pagevisor` bin
 * connects SIGINT and SIGTERM to it with {@link handleSignals})
 * @returns the exit code (see {@link EXIT_CODES}); 130 or 143 when an interrupt stopped the command
 *
 * @example
 * ```ts
 * import { runCli } from '@pagevisor/cli';
 *
 * process.exitCode = await runCli(['abi', 'list', '--json']);
 * ```
 */
export async function runCli(argv: readonly string[], io: CliIo = processIo, interrupt: Interrupt = new Interrupt()): Promise<number> {
  const debug = argv.includes('--debug');
  const args = argv.filter((arg) => arg !== '--debug');
  let command: Command | undefined;
  try {
    if (args.length === 0) {
      io.err(topHelp());
      return EXIT_CODES.usage;
    }
    if (args[0] === '--help' || args[0] === '-h') {
      io.out(topHelp());
      return EXIT_CODES.ok;
    }
    if (args[0] === '--version') {
      io.out(`${VERSION}\n`);
      return EXIT_CODES.ok;
    }
    command = COMMANDS.filter((candidate) => candidate.path.every((word, i) => args[i] === word)).sort((a, b) => b.path.length - a.path.length)[0];
    if (command === undefined) return unknownCommand(args, io);
    const rest = args.slice(command.path.length);
    if (rest.includes('--help') || rest.includes('-h')) {
      io.out(command.help);
      return EXIT_CODES.ok;
    }
    const parsed = parseCommandArgs(command, rest);
    const code = await command.run(parsed, io, interrupt);
    return interrupt.requested === undefined ? code : interrupt.exitCode;
  } catch (error) {
    return report(error, command, debug, io);
  }
}

function unknownCommand(args: readonly string[], io: CliIo): number {
  const group = COMMANDS.filter((command) => command.path[0] === args[0]);
  if (group.length > 0 && (args.length === 1 || args[1] === '--help' || args[1] === '-h')) {
    const help = groupHelp([args[0]!]);
    if (args.length === 1) io.err(help);
    else io.out(help);
    return args.length === 1 ? EXIT_CODES.usage : EXIT_CODES.ok;
  }
  const words = args.filter((arg) => !arg.startsWith('-')).slice(0, 2).join(' ');
  io.err(`pagevisor: unknown command "${words}" (see pagevisor --help)\n`);
  return EXIT_CODES.usage;
}

/**
 * `--pages -5` as `--pages=-5`: node:util takes a value that starts with a dash for a flag, so the
 * command's own check can say what is wrong with the number.
 */
function joinNegativeValues(command: Command, rest: readonly string[]): string[] {
  const args: string[] = [];
  for (let i = 0; i < rest.length; i++) {
    const flag = rest[i]!;
    const next = rest[i + 1];
    if (flag.startsWith('--') && command.options[flag.slice(2)]?.type === 'string' && next !== undefined && /^-\d/.test(next)) {
      args.push(`${flag}=${next}`);
      i++;
    } else args.push(flag);
  }
  return args;
}

function parseCommandArgs(command: Command, rest: string[]): CommandArgs {
  const name = command.path.join(' ');
  try {
    const { values, positionals } = parseArgs({ args: joinNegativeValues(command, rest), options: command.options, allowPositionals: command.positionals, strict: true });
    // No command declares `multiple` options, so every value is a single string or boolean.
    return { values: values as CommandArgs['values'], positionals };
  } catch (error) {
    // node:util reports unknown flags and missing values with messages that name the flag.
    throw new UsageError((error as Error).message.split('\n')[0]!.replace(/\. To specify a positional argument.*$/, ''), name);
  }
}

function report(error: unknown, command: Command | undefined, debug: boolean, io: CliIo): number {
  const where = command === undefined ? 'pagevisor' : `pagevisor ${command.path.join(' ')}`;
  if (debug && error instanceof Error && error.stack !== undefined) io.err(`${error.stack}\n`);
  if (error instanceof UsageError) {
    io.err(`${where}: ${error.message} (see ${where} --help)\n`);
    return EXIT_CODES.usage;
  }
  if (isPagevisorError(error)) {
    io.err(`${where}: ${error.message}\n`);
    return EXIT_CODES.usage;
  }
  const message = error instanceof Error ? error.message : String(error);
  io.err(`${where}: internal error: ${message}${debug ? '' : ' (run with --debug for the stack trace)'}\n`);
  return EXIT_CODES.failed;
}
