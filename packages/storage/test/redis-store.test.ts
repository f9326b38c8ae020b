import { describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { checkRecords, RedisStore } from '@pagevisor/storage';
import { startRedisServer } from '@pagevisor/testing';
import { rejection } from './support/rejection.js';
import { providedRedis } from './support/redis.js';

const { url, cluster, skip, note } = providedRedis();

function pages(count: number, fill: number): Uint8Array {
  return new Uint8Array(count * 4096).fill(fill);
}

describe(`RedisStore${note}`, () => {
  it.skipIf(skip)('names a record whose value was altered, lists foreign keys under its prefix as not its own', async () => {
    const prefix = `altered:${process.pid}`;
    const store = await RedisStore.open({ url, prefix }, 64);
    await store.writeBatch(Uint32Array.of(1, 2), pages(2, 0x61), 2);
    await store.flush();
    const raw = new Redis(url!);
    const value = (await raw.getBuffer(store.keyOf(2)))!;
    value[100]! ^= 0x10;
    await raw.set(store.keyOf(2), value);
    await raw.set(`{${prefix}:0}:not-a-gfn`, 'x');
    const error = await rejection(store.readBatch(Uint32Array.of(2), 1, new Uint8Array(4096)));
    expect(error).toMatchObject({ code: 'STORE_CORRUPT', gfn: 2 });
    await store.readBatch(Uint32Array.of(1), 1, new Uint8Array(4096));
    const seen: Array<[number | undefined, boolean, boolean]> = [];
    for await (const record of store.inspect()) seen.push([record.gfn, record.ok, record.current]);
    expect(seen.sort((a, b) => (a[0] ?? -1) - (b[0] ?? -1))).toEqual([
      [undefined, true, false],
      [1, true, true],
      [2, false, true],
    ]);
    expect(await checkRecords(store.inspect())).toEqual({ ok: 1, corrupt: 1, orphaned: 1 });
    await raw.quit();
    await store.close();
  });

  it.skipIf(skip)('spreads a guest over the cluster: each 4 MiB chunk on one node, chunks on every node', async () => {
    const prefix = `spread:${process.pid}`;
    const store = await RedisStore.open({ cluster, prefix }, 1 << 20);
    const gfns = Uint32Array.from({ length: 64 }, (_, i) => i * 1024 + (i % 7));
    await store.writeBatch(gfns, pages(64, 0x33), 64);
    const perNode = await Promise.all(
      cluster!.map(async (node) => {
        const client = new Redis(`redis://${node}`);
        const keys = await client.keys(`{${prefix}:*`);
        await client.quit();
        return keys.length;
      }),
    );
    expect(perNode.reduce((a, b) => a + b)).toBe(64);
    expect(perNode.every((n) => n > 0)).toBe(true);
    await store.close();
    const reopened = await RedisStore.open({ cluster, prefix }, 1 << 20);
    expect(reopened.stats().pages).toBe(64);
    await reopened.close();
  });

  it.skipIf(skip)('fails with STORE_IO, not a hang, when the server is gone', async () => {
    const server = await startRedisServer();
    const store = await RedisStore.open({ url: server.url, prefix: 'gone', commandTimeoutMs: 1000 }, 64);
    await store.writeBatch(Uint32Array.of(1), pages(1, 1), 1);
    await server.stop();
    const started = Date.now();
    expect(await rejection(store.readBatch(Uint32Array.of(1), 1, new Uint8Array(4096)))).toMatchObject({ code: 'STORE_IO' });
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(await rejection(RedisStore.open({ url: server.url, prefix: 'gone' }, 64))).toMatchObject({ code: 'STORE_IO', message: expect.stringMatching(/cannot connect/) });
    await store.close().catch(() => undefined);
  });
});
