import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * A Redis server or cluster started for a test; `stop` kills it and removes its files.
 *
 * @example
 * ```ts
 * const redis = await startRedisServer();
 * try { await useRedis(redis.url); } finally { await redis.stop(); }
 * ```
 */
export interface RedisHandle {
  /** `host:port` of each master (one for a single server). */
  readonly nodes: readonly string[];
  /** `redis://host:port` of the first node. */
  readonly url: string;
  /** Stops every server and removes its directory. */
  stop(): Promise<void>;
}

/**
 * Where `redis-server` is on `PATH` (Debian's `redis-server` package puts it in `/usr/bin`), or
 * `undefined`.
 *
 * @example
 * ```ts
 * const redis = findRedisServer() ? await startRedisServer() : undefined;
 * ```
 */
export function findRedisServer(): string | undefined {
  for (const dir of (process.env['PATH'] ?? '').split(delimiter)) {
    const candidate = join(dir, 'redis-server');
    if (dir && existsSync(candidate)) return candidate;
  }
  return undefined;
}

/**
 * Starts a throwaway Redis server on a free loopback port, without persistence, in a temporary
 * directory, and waits until it answers.
 *
 * @example
 * ```ts
 * const redis = await startRedisServer();
 * try { await useRedis(redis.url); } finally { await redis.stop(); }
 * ```
 */
export async function startRedisServer(): Promise<RedisHandle> {
  const dir = await mkdtemp(join(tmpdir(), 'pagevisor-redis-'));
  const port = await freePort();
  const server = launch(dir, port, []);
  try {
    await waitForPing(port, server);
  } catch (error) {
    await stopAll([server], dir);
    throw error;
  }
  return { nodes: [`127.0.0.1:${port}`], url: `redis://127.0.0.1:${port}`, stop: () => stopAll([server], dir) };
}

/**
 * Starts a Redis Cluster of `masters` (default 3) servers on free loopback ports, assigns every hash
 * slot with `redis-cli --cluster create`, and waits until the cluster reports `cluster_state:ok`.
 *
 * @example
 * ```ts
 * const cluster = await startRedisCluster(3);
 * try {
 *   const store = await RedisStore.open({ cluster: cluster.nodes }, 1 << 20);
 * } finally {
 *   await cluster.stop();
 * }
 * ```
 */
export async function startRedisCluster(masters = 3): Promise<RedisHandle> {
  const dir = await mkdtemp(join(tmpdir(), 'pagevisor-redis-cluster-'));
  const servers: ChildProcess[] = [];
  try {
    const ports: number[] = [];
    for (let i = 0; i < masters; i++) {
      const port = await freePort(true);
      ports.push(port);
      servers.push(launch(dir, port, ['--cluster-enabled', 'yes', '--cluster-config-file', `nodes-${port}.conf`, '--cluster-node-timeout', '5000']));
    }
    for (const [i, port] of ports.entries()) await waitForPing(port, servers[i]!);
    const nodes = ports.map((port) => `127.0.0.1:${port}`);
    await run('redis-cli', ['--cluster', 'create', ...nodes, '--cluster-replicas', '0', '--cluster-yes']);
    for (const port of ports) await waitFor(async () => (await cli(port, 'cluster', 'info')).includes('cluster_state:ok'), `cluster node ${port} to report cluster_state:ok`);
    return { nodes, url: `redis://${nodes[0]}`, stop: () => stopAll(servers, dir) };
  } catch (error) {
    await stopAll(servers, dir);
    throw error;
  }
}

function launch(dir: string, port: number, extra: string[]): ChildProcess {
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no', '--dbfilename', `dump-${port}.rdb`, ...extra];
  return spawn('redis-server', args, { stdio: 'ignore' });
}

async function cli(port: number, ...args: string[]): Promise<string> {
  return (await run('redis-cli', ['-p', String(port), ...args])).stdout;
}

async function waitForPing(port: number, server: ChildProcess): Promise<void> {
  await waitFor(async () => {
    if (server.exitCode !== null) throw new Error(`redis-server on port ${port} exited with code ${server.exitCode}`);
    return (await cli(port, 'ping').catch(() => '')).trim() === 'PONG';
  }, `redis-server on port ${port} to answer PING`);
}

async function waitFor(check: () => Promise<boolean>, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function stopAll(servers: ChildProcess[], dir: string): Promise<void> {
  await Promise.all(
    servers.map(
      (server) =>
        new Promise<void>((resolve) => {
          if (server.exitCode !== null || server.signalCode !== null) return resolve();
          server.once('exit', () => resolve());
          server.kill('SIGKILL');
        }),
    ),
  );
  await rm(dir, { recursive: true, force: true });
}

/** A free loopback port (and, for a cluster node, its bus port, port + 10000, free too). */
async function freePort(withBus = false): Promise<number> {
  for (;;) {
    const port = await listenOnce(withBus ? 10_000 + Math.floor(Math.random() * 20_000) : 0);
    if (port === 0) continue;
    if (!withBus || (await listenOnce(port + 10_000)) !== 0) return port;
  }
}

/** Listens on `port` (0: any) and closes; returns the port, or 0 if it was taken. */
function listenOnce(port: number): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(0));
    server.listen(port, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}
