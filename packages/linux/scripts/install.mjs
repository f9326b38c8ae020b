// Install step: use the prebuilt binary if it loads here; otherwise build from source (the C compiler
// directly, then node-gyp). Never fails the install: without a binary, importing still works and opening
// a region says what is missing (LinuxError LINUX_NATIVE_MISSING).
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { packageRoot, prebuiltPath, sourceBuildPath } from './native-paths.mjs';

const require = createRequire(import.meta.url);
const loads = (path) => {
  try {
    require(path);
    return true;
  } catch {
    return false;
  }
};

if (process.platform !== 'linux') process.exit(0);
if ([prebuiltPath(), sourceBuildPath].some((path) => existsSync(path) && loads(path))) process.exit(0);
const attempts = [
  ['the C compiler', () => execFileSync(process.execPath, [new URL('./build-native.mjs', import.meta.url).pathname], { stdio: 'inherit' })],
  ['node-gyp', () => execFileSync(process.env.npm_config_node_gyp ? process.execPath : 'node-gyp', process.env.npm_config_node_gyp ? [process.env.npm_config_node_gyp, 'rebuild'] : ['rebuild'], { cwd: packageRoot, stdio: 'inherit' })],
];
for (const [how, build] of attempts) {
  try {
    build();
    if ([prebuiltPath(), sourceBuildPath].some((path) => existsSync(path) && loads(path))) process.exit(0);
  } catch {
    console.warn(`@pagevisor/linux: building the addon with ${how} failed`);
  }
}
console.warn('@pagevisor/linux: no usable binary; opening a paged region will fail with LINUX_NATIVE_MISSING until one is built (npm rebuild @pagevisor/linux)');
