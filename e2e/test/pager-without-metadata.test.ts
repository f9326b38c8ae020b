import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * tsx and esbuild emit no decorator metadata (vitest's transform does): core must build its pager and
 * offline manager from `@inject` tokens alone, or a user bundling with esbuild gets "TypeInfo not known".
 */
describe('dependency injection without decorator metadata', () => {
  it('creates, starts and stops a pager and builds an offline manager under tsx', () => {
    const script = fileURLToPath(new URL('./no-metadata/pager-without-metadata.ts', import.meta.url));
    const out = execFileSync(process.execPath, ['--import', 'tsx', '--conditions=@pagevisor/source', script], {
      cwd: fileURLToPath(new URL('..', import.meta.url)),
      env: { ...process.env, TSX_TSCONFIG_PATH: fileURLToPath(new URL('../../tsconfig.base.json', import.meta.url)) },
      encoding: 'utf8',
    });
    expect(JSON.parse(out.trim().split('\n').at(-1)!)).toEqual({ metadata: 'absent', resident: 1024, mismatches: 0 });
  }, 60_000);
});
