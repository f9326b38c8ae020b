import { describe, expect, it } from 'vitest';
import { isPagevisorError, PAGE_STORE, type PagevisorPlugin, type PageStore, type PluginContainer } from '@pagevisor/core';
import { FaultyStore, faultyStore, runStoreConformance } from '@pagevisor/testing';
import { MapStore } from './support/map-store.js';

const gfns = Uint32Array.of(3);
const page = (byte: number) => new Uint8Array(4096).fill(byte);

describe('FaultyStore', () => {
  it('with no fault injected it is the store it wraps: the conformance suite passes', async () => {
    const results = await runStoreConformance({ name: 'faulty map', create: async () => ({ store: new FaultyStore(new MapStore({})) }) });
    expect(results.filter((r) => r.error).map((r) => `${r.name}: ${r.error!.message}`)).toEqual([]);
  });

  it('fails the next `times` calls with STORE_IO, without touching the inner store, then works again', async () => {
    const store = new FaultyStore(new MapStore({}));
    await store.writeBatch(gfns, page(1), 1);
    store.inject('write', { times: 2 });
    for (let i = 0; i < 2; i++) {
      const error = await store.writeBatch(gfns, page(2), 1).catch((e: unknown) => e);
      expect(isPagevisorError(error, 'STORE_IO')).toBe(true);
    }
    const into = new Uint8Array(4096);
    await store.readBatch(gfns, 1, into);
    expect(into[0]).toBe(1); // the failed writes changed nothing
    await store.writeBatch(gfns, page(3), 1);
    await store.readBatch(gfns, 1, into);
    expect(into[0]).toBe(3);
    expect(store.injectedFailures).toEqual({ write: 2, read: 0, delete: 0, flush: 0 });
  });

  it('keeps call order when a call is slowed: a write issued after a slow read lands after it', async () => {
    const store = new FaultyStore(new MapStore({}));
    await store.writeBatch(gfns, page(1), 1);
    store.inject('read', { delayMs: 20, fails: false });
    const into = new Uint8Array(4096);
    const read = store.readBatch(gfns, 1, into);
    const write = store.writeBatch(gfns, page(9), 1);
    await Promise.all([read, write]);
    expect(into[0]).toBe(1);
    store.heal();
    await store.readBatch(gfns, 1, into);
    expect(into[0]).toBe(9);
  });

  it('a custom error, until healed; bad fault arguments are refused', async () => {
    const store = new FaultyStore(new MapStore({}));
    store.inject('flush', { error: (call) => new Error(`no ${call}`) });
    await expect(store.flush()).rejects.toThrow('no flush');
    await expect(store.flush()).rejects.toThrow('no flush');
    store.heal('flush');
    await store.flush();
    expect(() => store.inject('read', { times: 0 })).toThrow(/times 0/);
    expect(() => store.inject('read', { delayMs: -1 })).toThrow(/delayMs -1/);
  });

  it('the plugin wraps whatever store another plugin registers, and refuses one that registers none', () => {
    const provided = new Map<unknown, unknown>();
    const container = { provide: (t: unknown, v: unknown) => provided.set(t, v), has: (t: unknown) => provided.has(t) } as unknown as PluginContainer;
    const context = { memoryName: 'dom1', maxPages: 64, neverEvict: new Uint8Array(64), seed: 1 };
    const inner: PagevisorPlugin = { name: 'map', register: (c) => c.provide(PAGE_STORE, new MapStore({})) };
    let handed: FaultyStore | undefined;
    faultyStore(inner, (s) => (handed = s)).register(container, context);
    expect(provided.get(PAGE_STORE)).toBe(handed);
    expect((handed!.inner as PageStore).name).toBe('map');
    expect(() => faultyStore({ name: 'empty', register: () => undefined }, () => undefined).register(container, context)).toThrow('faulty store: plugin empty registered no store');
  });
});
