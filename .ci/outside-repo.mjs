#!/usr/bin/env node
// Outside the repository: what a user does with the packed packages.
// - Every example is copied to a temporary directory, its @pagevisor dependencies pointed at the
//   tarballs, installed with npm, typechecked and run with its own `npm start`.
// - Every guide's code, and each package README's, is followed literally in a fresh `npm init -y`
//   project: each ```ts block is
//   written to a file in the guide's directory, in order, all are typechecked together under NodeNext,
//   and each is run with tsx. A block preceded by `<!-- file: NAME.ts -->` is a module the later
//   blocks import: it is saved under that name and typechecked, not run.
// Usage: node .ci/outside-repo.mjs TARBALL_DIR WORK_DIR [examples|guides]  (both when not given)
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';

const [tarballs, work] = process.argv.slice(2, 4).map((path) => resolve(path));
const only = process.argv[4];
if (only !== undefined && only !== 'examples' && only !== 'guides') throw new Error(`unknown part ${JSON.stringify(only)}: examples or guides`);
const root = resolve(import.meta.dirname, '..');
const run = (cwd, command, ...args) => {
  console.log(`+ (${basename(cwd)}) ${command} ${args.join(' ')}`);
  execFileSync(command, args, { cwd, stdio: 'inherit', env: { ...process.env, npm_config_loglevel: 'error' } });
};
const tarball = (name) => {
  const file = readdirSync(tarballs).find((f) => f.startsWith(`pagevisor-${name.slice('@pagevisor/'.length)}-`) && f.endsWith('.tgz'));
  if (!file) throw new Error(`no tarball for ${name} in ${tarballs}`);
  return `file:${join(tarballs, file)}`;
};
const manifest = (name) => JSON.parse(execFileSync('tar', ['-xzOf', tarball(name).slice(5), 'package/package.json'], { encoding: 'utf8' }));

/** `deps` with every @pagevisor package from the tarballs, and the ones they need in turn. */
function fromTarballs(deps) {
  const out = { ...deps };
  const pending = Object.keys(out).filter((name) => name.startsWith('@pagevisor/'));
  while (pending.length > 0) {
    const name = pending.pop();
    out[name] = tarball(name);
    const m = manifest(name);
    for (const dep of Object.keys({ ...m.dependencies, ...m.peerDependencies })) if (dep.startsWith('@pagevisor/') && !(dep in out && out[dep].startsWith('file:'))) (out[dep] = tarball(dep)), pending.push(dep);
  }
  return out;
}

const TOOLS = { tsx: '4.23.15', typescript: '5.9.3', '@types/node': '20.19.43' };
const TSCONFIG = { compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, types: ['node'], noEmit: true, skipLibCheck: false }, include: ['**/*.ts'], exclude: ['node_modules'] };

// --- examples ---
const examples = only === 'guides' ? [] : readdirSync(join(root, 'examples'), { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name);
for (const name of examples) {
  const dir = join(work, 'examples', name);
  cpSync(join(root, 'examples', name), dir, { recursive: true, filter: (src) => !src.includes('node_modules') });
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  pkg.dependencies = fromTarballs(pkg.dependencies ?? {});
  pkg.devDependencies = { ...TOOLS, ...pkg.devDependencies };
  writeFileSync(join(dir, 'package.json'), JSON.stringify(pkg, null, 2));
  run(dir, 'npm', 'install', '--no-audit', '--no-fund');
  run(dir, 'npx', 'tsc', '-p', 'tsconfig.json');
  run(dir, 'npm', 'start');
}

// --- guides ---
if (only === 'examples') {
  console.log(`outside the repository: ${examples.length} examples ran`);
  process.exit(0);
}
const guidesDir = join(work, 'guides');
mkdirSync(guidesDir, { recursive: true });
run(guidesDir, 'npm', 'init', '-y');
const pkg = JSON.parse(readFileSync(join(guidesDir, 'package.json'), 'utf8'));
const packages = readdirSync(tarballs).filter((f) => f.endsWith('.tgz')).map((f) => `@pagevisor/${f.replace(/^pagevisor-/, '').replace(/-\d+\.\d+\.\d+.*\.tgz$/, '')}`);
pkg.type = 'module';
pkg.dependencies = fromTarballs({ ...Object.fromEntries(packages.map((p) => [p, ''])), 'reflect-metadata': '0.2.2', rxjs: '7.8.2' });
pkg.devDependencies = TOOLS;
writeFileSync(join(guidesDir, 'package.json'), JSON.stringify(pkg, null, 2));
writeFileSync(join(guidesDir, 'tsconfig.json'), JSON.stringify(TSCONFIG, null, 2));
run(guidesDir, 'npm', 'install', '--no-audit', '--no-fund');
const programs = [];
const documents = [
  ...readdirSync(join(root, 'docs', 'guides')).filter((f) => f.endsWith('.md')).sort().map((f) => [f.replace(/\.md$/, ''), join(root, 'docs', 'guides', f)]),
  ...readdirSync(join(root, 'packages')).sort().map((name) => [`readme-${name}`, join(root, 'packages', name, 'README.md')]),
];
for (const [guide, source] of documents) {
  const dir = join(guidesDir, guide);
  mkdirSync(dir, { recursive: true });
  const blocks = [...readFileSync(source, 'utf8').matchAll(/(?:<!-- file: ([\w.-]+\.ts) -->\n)?```ts\n([\s\S]*?)```/g)];
  blocks.forEach(([, module, code], i) => {
    const file = module ?? `block-${String(i + 1).padStart(2, '0')}.ts`;
    writeFileSync(join(dir, file), code);
    if (!module) programs.push(join(dir, file));
  });
  console.log(`${source.slice(root.length + 1)}: ${blocks.length} code blocks`);
}
run(guidesDir, 'npx', 'tsc', '-p', 'tsconfig.json');
// The CLI as the landing page and the guides call it, installed from its tarball.
run(guidesDir, 'npx', 'pagevisor', 'run');
run(guidesDir, 'npx', 'pagevisor', 'offline', 'demo');
for (const program of programs) run(resolve(program, '..'), 'npx', 'tsx', basename(program));
console.log(`outside the repository: ${examples.length} examples and ${programs.length} programs of the guides and READMEs ran`);
