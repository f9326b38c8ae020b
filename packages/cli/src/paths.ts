import { existsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { UsageError } from './usage-error.js';

/**
 * A path the user typed, resolved against the directory they ran the command from: `INIT_CWD`, which
 * npm and pnpm set to it when a package script runs the CLI from the repository root, else the cwd.
 */
export function userPath(path: string): string {
  return resolve(process.env['INIT_CWD'] ?? process.cwd(), path);
}

/**
 * Checks, before any work starts, that the directory a file is to be written in exists: nothing
 * creates directories the user did not ask for.
 */
export function requireParentDirectory(flag: string, path: string, command: string): void {
  const directory = dirname(path);
  if (!existsSync(directory) || !statSync(directory).isDirectory()) throw new UsageError(`--${flag} ${path}: directory ${directory} does not exist`, command);
}
