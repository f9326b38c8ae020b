import { describe, expect, it } from 'vitest';
import {
  AbiError,
  createOfflineManager,
  HypervisorError,
  isPagevisorError,
  OFFLINE_HANDLERS,
  OfflineError,
  PG_OFFLINE,
  PagevisorError,
  RingError,
  StoreError,
  type HypervisorPort,
  type PagevisorErrorByCode,
} from '@pagevisor/core';

describe('errors', () => {
  it('brands every Pagevisor error and checks codes', () => {
    const cause = new Error('root');
    const error = new AbiError('ABI_BAD_FLAGS', 'bad flags', { abi: 'vm_event/v7', field: 'flags', offset: 4, value: 0x80000000, cause });
    expect(error).toBeInstanceOf(PagevisorError);
    expect(error.name).toBe('AbiError');
    expect(error.cause).toBe(cause);
    expect(isPagevisorError(error)).toBe(true);
    expect(isPagevisorError(error, 'ABI_BAD_FLAGS')).toBe(true);
    expect(isPagevisorError(error, 'ABI_LENGTH')).toBe(false);
    expect(isPagevisorError(new Error('x'))).toBe(false);
    expect(isPagevisorError(null)).toBe(false);
    expect(isPagevisorError({ code: 'ABI_BAD_FLAGS' })).toBe(false);
    expect(Object.keys(error)).not.toContain('undefined');
    expect(JSON.stringify(new RingError('RING_FULL', 'full', { index: 3 }))).toBe('{"code":"RING_FULL","name":"RingError","index":3}');
  });

  it('narrows by code to the class that carries it (checked by the compiler)', () => {
    const caught: unknown = new StoreError('STORE_CORRUPT', 'gfn 7: checksum', { gfn: 7 });
    if (!isPagevisorError(caught, 'STORE_CORRUPT')) throw new Error('not narrowed');
    const gfn: number | undefined = caught.gfn; // a StoreError field, no cast
    expect(gfn).toBe(7);
    const refusal: unknown = HypervisorError.refusal('EBUSY', 'nominate: mapped', { domid: 1, gfn: 3 });
    expect(isPagevisorError(refusal, 'EBUSY') && refusal.domid).toBe(1);
    // A refusal carries no stack frames: only its name and message.
    expect((refusal as Error).stack).toBe('HypervisorError: nominate: mapped');
    // Another package's code narrows to the base class.
    const other: unknown = new PagevisorError('TRACE_FORMAT', 'bad line');
    expect(isPagevisorError(other, 'TRACE_FORMAT') && other.code).toBe('TRACE_FORMAT');
    const types: [PagevisorErrorByCode['ABI_MISMATCH'], PagevisorErrorByCode['RING_FULL'], PagevisorErrorByCode['OFFLINE_HANDLER']] = [
      new AbiError('ABI_MISMATCH', 'm', { abi: 'vm_event/v7' }),
      new RingError('RING_FULL', 'f'),
      new OfflineError('OFFLINE_HANDLER', 'h', { mfn: 1, handler: 'x' }),
    ];
    expect(types.map((e) => e.name)).toEqual(['AbiError', 'RingError', 'OfflineError']);
  });

  it('the offline manager reports its own failures as OfflineError and never loses the cause', async () => {
    const cause = new Error('handler bug');
    const hypervisor = {
      pageOffline: () => PG_OFFLINE.OWNED | PG_OFFLINE.PENDING | (7 << 16), // owned by domain 7, pending
      frameOwner: () => ({ domid: 7, gfn: 0x10 }),
      domainInfo: () => ({ domid: 7, maxPages: 16, totPages: 16, pagedPages: 0, vcpus: 1, hvm: true, paging: false }),
    } as unknown as HypervisorPort;
    const throwing = { name: 'throwing', canHandle: () => true, handle: () => Promise.reject(cause) };
    const offline = createOfflineManager({ hypervisor, handlers: [{ name: 'throwing', register: (c) => c.provide(OFFLINE_HANDLERS, throwing) }] });
    const error = await offline.offlinePage(0x42).catch((e: unknown) => e);
    expect(isPagevisorError(error, 'OFFLINE_HANDLER') && [error.handler, error.mfn, error.cause]).toEqual(['throwing', 0x42, cause]);
    offline.close();
    await expect(offline.offlinePage(0x42)).rejects.toThrow(new OfflineError('OFFLINE_CLOSED', 'cannot offline mfn 0x42: the offline manager is closed', { mfn: 0x42 }));
    const bare = createOfflineManager({ hypervisor: {} as HypervisorPort, handlers: [] });
    let thrown: unknown;
    try {
      bare.queryPage(1);
    } catch (e) {
      thrown = e;
    }
    expect(isPagevisorError(thrown, 'OFFLINE_UNSUPPORTED') && thrown.message).toBe('cannot query mfn 0x1: this hypervisor has no page-offline sysctl (pageOffline)');
  });
});
