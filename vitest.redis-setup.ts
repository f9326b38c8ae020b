import type { TestProject } from 'vitest/node';
import { findRedisServer, startRedisCluster, startRedisServer, type RedisHandle } from './packages/testing/src/servers/redis-servers.js';

/** What test files of projects with this global setup get from `inject('redis')`. */
export interface ProvidedRedis {
  /** A single server's URL, or `undefined` when redis-server is not installed. */
  readonly url: string | undefined;
  /** A 3-master cluster's nodes (`host:port`), or `undefined`. */
  readonly cluster: readonly string[] | undefined;
  /** Why there are none, for the skipped tests' names. */
  readonly missing: string | undefined;
}

declare module 'vitest' {
  export interface ProvidedContext {
    redis: ProvidedRedis;
  }
}

/**
 * Starts a throwaway Redis server and a 3-master Redis Cluster on loopback for the project's tests
 * (from Debian's `redis-server`, which `.ci/run` installs), and stops them afterwards. Without
 * redis-server the Redis tests are skipped with the reason in their names, unless
 * PAGEVISOR_REQUIRE_REDIS is set (CI sets it), which makes that a failure.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  if (!findRedisServer()) {
    const missing = 'redis-server is not installed (apt-get install redis-server)';
    if (process.env['PAGEVISOR_REQUIRE_REDIS']) throw new Error(`PAGEVISOR_REQUIRE_REDIS is set but ${missing}`);
    project.provide('redis', { url: undefined, cluster: undefined, missing });
    return async () => undefined;
  }
  const started: RedisHandle[] = [];
  try {
    const server = await startRedisServer();
    started.push(server);
    const cluster = await startRedisCluster(3);
    started.push(cluster);
    project.provide('redis', { url: server.url, cluster: cluster.nodes, missing: undefined });
  } catch (error) {
    await Promise.all(started.map((handle) => handle.stop()));
    throw error;
  }
  return async () => {
    await Promise.all(started.map((handle) => handle.stop()));
  };
}
