import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

/**
 * The engine knows no hypervisor: its files import nothing of the ABIs, the ring, the Xen port or the
 * Xen backend, and branch on no errno. Everything Xen lives in `src/xen` and `src/internal/xen`.
 */
const ENGINE_FILES = [
  ...readdirSync(new URL('../src/internal/pager/', import.meta.url)).map((f) => `../src/internal/pager/${f}`),
  '../src/pager/pager.ts',
];
const FORBIDDEN_IMPORTS = [/from '\.\.\/(\.\.\/)?abi\//, /from '\.\.\/(\.\.\/)?ring\//, /from '\.\.\/(\.\.\/)?hypervisor\//, /from '\.\.\/(\.\.\/)?xen\//, /internal\/xen\//];
const ERRNOS = /'E(BUSY|NOENT|NOMEM|INVAL|AGAIN|NOEXEC)'/;

describe('the engine is backend-neutral', () => {
  it.each(ENGINE_FILES)('%s imports no ABI, ring, hypervisor or Xen module and tests no errno', (file) => {
    const source = readFileSync(new URL(file, import.meta.url), 'utf8');
    for (const pattern of FORBIDDEN_IMPORTS) expect(source, `${file} matches ${pattern}`).not.toMatch(pattern);
    const code = source.split('\n').filter((line) => !/^\s*(\*|\/\/|\/\*\*)/.test(line)).join('\n');
    expect(code).not.toMatch(ERRNOS);
  });
});
