import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { cli } from './support/cli.js';

/**
 * The README's command list uses the invocation of its setup line, and every command and
 * flag it lists is one the CLI has.
 */
const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
const shBlocks = [...readme.matchAll(/^```sh\n([\s\S]*?)^```$/gm)].map((m) => m[1]!);
const section = readme.slice(readme.indexOf('## The `pagevisor` command'));
const commandList = /^```sh\n([\s\S]*?)^```$/m.exec(section)![1]!.trim().split('\n');

describe('the README', () => {
  it('starts with the demo and the test command, the demo run through pnpm exec', () => {
    expect(shBlocks[0]!.trim()).toBe('npx -y pnpm@12.4.2 install && npx -y pnpm@12.4.2 exec pagevisor run');
    expect(shBlocks[1]!.trim()).toBe('npx -y pnpm@12.4.2 install --frozen-lockfile && npx -y pnpm@12.4.2 test');
  });

  it('lists commands with the setup line\'s invocation', () => {
    for (const line of commandList) expect(line).toMatch(/^pnpm exec pagevisor /);
  });

  it('lists only commands and flags the CLI has', async () => {
    for (const line of commandList) {
      const words = line.replace(/#.*$/, '').trim().split(/\s+/).slice(3);
      const command = words.filter((w, i) => /^[a-z]/.test(w) && words.slice(0, i).every((v) => /^[a-z]/.test(v)));
      // `store verify|dump` names several subcommands in one line: each must exist.
      const variants = command.length > 1 && command[1]!.includes('|') ? command[1]!.split('|').map((sub) => [command[0]!, sub]) : [command.map((w) => w.split('|')[0]!)];
      for (const argv of variants) {
        const help = await cli(...argv, '--help');
        expect(help.code, `${argv.join(' ')} --help: ${help.err}`).toBe(0);
        for (const flag of line.match(/--[a-z][a-z-]*/g) ?? []) {
          if (flag === '--help' || flag === '--version') continue;
          expect(help.out, `${argv.join(' ')} --help names ${flag}`).toContain(flag);
        }
      }
    }
  });
});
