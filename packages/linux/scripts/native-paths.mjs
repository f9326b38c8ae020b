// Where the addon's binary lives: a prebuilt one per platform and architecture (shipped in the
// tarball), else the one node-gyp builds from source.
import { fileURLToPath } from 'node:url';

export const packageRoot = fileURLToPath(new URL('..', import.meta.url));
export const prebuiltPath = (platform = process.platform, arch = process.arch) => fileURLToPath(new URL(`../prebuilds/${platform}-${arch}/pagevisor_linux.node`, import.meta.url));
export const sourceBuildPath = fileURLToPath(new URL('../build/Release/pagevisor_linux.node', import.meta.url));
