import { PagevisorError } from '@pagevisor/core';

/**
 * Bad usage of the `pagevisor` command: an unknown command or flag, a missing argument, a value that
 * cannot be parsed. The CLI prints its message on one line and exits with code 2.
 */
export class UsageError extends PagevisorError {
  /**
   * @param message - what is wrong and where, naming the flag or argument
   * @param command - the command whose `--help` the user should read
   */
  constructor(
    message: string,
    readonly command: string,
  ) {
    super('USAGE', message);
  }
}
