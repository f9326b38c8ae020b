// Builds the addon for this machine into prebuilds/<platform>-<arch>/ with the C compiler and Node's
// own headers (the `include/node` beside this Node, or node-gyp's copy): what `prepack` ships, so an
// install needs no compiler. Only Linux has userfaultfd: elsewhere there is nothing to build.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { packageRoot, prebuiltPath } from './native-paths.mjs';

if (process.platform !== 'linux') {
  console.log(`@pagevisor/linux: nothing to build on ${process.platform} (userfaultfd is Linux's)`);
  process.exit(0);
}
const candidates = [join(dirname(process.execPath), '..', 'include', 'node'), join(homedir(), '.cache', 'node-gyp', process.versions.node, 'include', 'node')];
const headers = candidates.find((dir) => existsSync(join(dir, 'node_api.h')));
if (headers === undefined) {
  console.error(`@pagevisor/linux: no node_api.h in ${candidates.join(' or ')}; install Node's headers (or run node-gyp rebuild)`);
  process.exit(1);
}
const out = prebuiltPath();
mkdirSync(dirname(out), { recursive: true });
const cc = process.env.CC ?? 'cc';
execFileSync(cc, ['-O2', '-Wall', '-Wextra', '-Wno-unused-parameter', '-Werror', '-shared', '-fPIC', '-pthread', `-I${headers}`, '-o', out, join(packageRoot, 'src', 'native', 'uffd.c'), join(packageRoot, 'src', 'native', 'peer.c'), join(packageRoot, 'src', 'native', 'guardian.c'), join(packageRoot, 'src', 'native', 'sampling.c')], { stdio: 'inherit' });
console.log(`@pagevisor/linux: built ${out}`);
