import { ConfigError } from '@pagevisor/core';

/**
 * Imports an optional peer dependency (better-sqlite3, ioredis), or fails with a `ConfigError`
 * telling the user what to install.
 */
export async function importOptional<T>(specifier: string, store: string, range: string): Promise<T> {
  try {
    return (await import(specifier)) as T;
  } catch (error) {
    throw new ConfigError('store', `the ${store} store needs the ${specifier} package: npm install ${specifier}@${range}`, { cause: error });
  }
}
