import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { EXIT_CODES } from '@pagevisor/cli';
import { COMMANDS } from '../src/commands/index.js';
import { cli } from './support/cli.js';

describe('CLI manners', () => {
  it('every command has --help with usage, options and examples, on stdout with exit 0', async () => {
    for (const command of COMMANDS) {
      const { code, out, err } = await cli(...command.path, '--help');
      expect(code, command.path.join(' ')).toBe(EXIT_CODES.ok);
      expect(err).toBe('');
      expect(out).toMatch(/^Usage: pagevisor /);
      expect(out, command.path.join(' ')).toMatch(/\nExamples:\n  pagevisor /);
      expect(out).toMatch(/--help/);
    }
  });

  it('--version prints the package version; the top help lists every command and the exit codes', async () => {
    const { version } = createRequire(import.meta.url)('../package.json') as { version: string };
    expect(await cli('--version')).toMatchObject({ code: 0, out: `${version}\n` });
    const { out } = await cli('--help');
    for (const command of COMMANDS) expect(out).toContain(command.path.join(' '));
    expect(out).toMatch(/Exit codes: 0 ok, 1 check failed or internal error, 2 bad usage or bad input/);
  });

  it('errors are one line without a stack trace, unless --debug', async () => {
    const plain = await cli('simulate', '--trace', '/nonexistent.trace');
    expect(plain.code).toBe(EXIT_CODES.usage);
    expect(plain.err.trim().split('\n')).toHaveLength(1);
    const debug = await cli('simulate', '--trace', '/nonexistent.trace', '--debug');
    expect(debug.err).toMatch(/\n\s+at /);
  });
});
