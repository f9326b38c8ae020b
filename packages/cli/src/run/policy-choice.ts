import { existsSync } from 'node:fs';
import { extname } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { PagevisorPlugin } from '@pagevisor/core';
import { LIVE_POLICIES, policyNamed, policyRuns } from '@pagevisor/policies';
import { userPath } from '../paths.js';
import { UsageError } from '../usage-error.js';

/** Whether `--policy` names a module rather than a shipped policy. */
function isModulePath(value: string): boolean {
  return value.startsWith('.') || value.startsWith('/') || /\.(?:[cm]?js|[cm]?ts)(?:#\w+)?$/.test(value);
}

function isPlugin(value: unknown): value is PagevisorPlugin {
  return typeof value === 'object' && value !== null && typeof (value as PagevisorPlugin).name === 'string' && typeof (value as PagevisorPlugin).register === 'function';
}

/** Calls `factory` with no arguments; the plugin it returns, or `undefined` if it is not a plugin factory. */
function pluginFrom(factory: unknown): PagevisorPlugin | undefined {
  if (typeof factory !== 'function') return undefined;
  try {
    const plugin: unknown = factory();
    return isPlugin(plugin) ? plugin : undefined;
  } catch {
    return undefined; // a function that needs arguments is not a plugin factory
  }
}

/**
 * The policy plugin `--policy` names: a live policy of `@pagevisor/policies`, or a user's module
 * (`./my-policy.js`) exporting a plugin factory, a function that takes no arguments and returns a
 * `PagevisorPlugin`. Of the module's exports it takes the one named after `#` (`./p.js#sampledLfu`),
 * else the default export, else the only export that is such a factory.
 */
export async function policyChoice(value: string, command: string): Promise<{ readonly name: string; readonly plugin: PagevisorPlugin }> {
  if (!isModulePath(value)) {
    const runs = policyRuns(value);
    if (runs === 'live' || runs === 'both') return { name: value, plugin: policyNamed(value) };
    const why = runs === 'simulation' ? ` (${value} runs in trace simulation only: pagevisor simulate)` : '';
    throw new UsageError(`--policy: no live policy "${value}"${why}; policies: ${LIVE_POLICIES.join(', ')}, clockN (N = 1 … 8), or a module path such as ./my-policy.js`, command);
  }
  const [file, exportName] = value.split('#') as [string, string | undefined];
  const path = userPath(file);
  if (!existsSync(path)) throw new UsageError(`--policy ${file}: no such file (${path})`, command);
  let module: Record<string, unknown>;
  try {
    module = (await import(pathToFileURL(path).href)) as Record<string, unknown>;
  } catch (error) {
    const reason =
      (error as NodeJS.ErrnoException).code === 'ERR_UNKNOWN_FILE_EXTENSION'
        ? `Node cannot load ${extname(file)} files: compile it to .js (or run under tsx)`
        : (error as Error).message.split('\n')[0];
    throw new UsageError(`--policy ${file}: cannot load it: ${reason}`, command);
  }
  const candidates = exportName !== undefined ? [exportName] : 'default' in module ? ['default'] : Object.keys(module);
  const found = candidates.map((name) => [name, pluginFrom(module[name])] as const).filter((entry): entry is readonly [string, PagevisorPlugin] => entry[1] !== undefined);
  if (found.length === 1) return { name: found[0]![1].name, plugin: found[0]![1] };
  if (found.length === 0) {
    throw new UsageError(`--policy ${value}: ${exportName ?? 'the module'} exports no plugin factory (a function that takes no arguments and returns { name, register })`, command);
  }
  throw new UsageError(`--policy ${file}: several exports are plugin factories (${found.map(([name]) => name).join(', ')}): name one, as ${file}#${found[0]![0]}`, command);
}
