#!/usr/bin/env node
// The `pagevisor` command inside this repository (`pnpm exec pagevisor …`, `pnpm pagevisor …`): runs
// the built CLI (packages/cli/dist), which starts in a fraction of the time tsx on the sources takes,
// and first rebuilds the packages when a source file is newer than its build (or there is none).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
// Dependency order: each package is built against the declarations of the ones before it.
const PACKAGES = ['core', 'testing', 'policies', 'storage', 'offline', 'linux', 'cli'];

/** The newest modification time of the files below `dir`, or 0 when it does not exist. */
function newest(dir) {
  if (!existsSync(dir)) return 0;
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) latest = Math.max(latest, statSync(join(entry.parentPath ?? entry.path, entry.name)).mtimeMs);
  }
  return latest;
}

const stale = PACKAGES.filter((name) => {
  const dir = join(root, 'packages', name);
  const built = newest(join(dir, 'dist'));
  return built === 0 || Math.max(newest(join(dir, 'src')), statSync(join(dir, 'package.json')).mtimeMs) > built;
});
if (stale.length > 0) {
  process.stderr.write(`pagevisor: building the packages first (changed: ${stale.join(', ')})\n`);
  const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  // A package after a stale one is rebuilt too: its build reads their declarations.
  for (const name of PACKAGES.slice(PACKAGES.indexOf(stale[0]))) {
    const built = spawnSync(process.execPath, [tsc, '-p', join(root, 'packages', name, 'tsconfig.build.json')], { stdio: 'inherit' });
    if (built.status !== 0) {
      process.stderr.write(`pagevisor: building packages/${name} failed; fix it or run pnpm build\n`);
      process.exit(1);
    }
  }
}
await import(new URL('../../packages/cli/dist/bin.js', import.meta.url).href);
