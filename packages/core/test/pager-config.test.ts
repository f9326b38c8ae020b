import { describe, expect, it } from 'vitest';
import { ConfigError, createPager, isPagevisorError, PAGE_STORE, parseSize, resolvePagerConfig, VICTIM_POLICY, type HypervisorPort, type PageStore, type PagevisorPlugin, type VictimPolicy } from '@pagevisor/core';

describe('parseSize', () => {
  it.each([
    ['42', 42],
    [' 42 ', 42],
    ['8K', 2],
    ['42K', 10],
    ['4M', 1024],
    ['1G', 262_144],
    ['1.5M', 384],
    ['50%', 500_000],
    ['0', 0],
    ['100%', 1_000_000],
    [123, 123],
    [12.9, 12],
    ['2000000', 1_000_000], // above max means max
    ['9G', 1_000_000],
  ] as const)('%s → %i pages (max 1,000,000)', (value, pages) => {
    expect(parseSize(value, 1_000_000, 'target')).toBe(pages);
  });

  it.each([['42 pages'], ['-1'], ['1.5'], ['42T'], ['101%'], [''], ['%'], ['0x10']])('refuses %j naming the setting and value', (value) => {
    try {
      parseSize(value, 1000, 'target');
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      expect(isPagevisorError(error, 'CONFIG')).toBe(true);
      expect((error as Error).message).toContain(`target ${JSON.stringify(value)}`);
    }
  });

  it('refuses negative and non-finite numbers', () => {
    expect(() => parseSize(-1, 10)).toThrow(ConfigError);
    expect(() => parseSize(Number.NaN, 10)).toThrow(ConfigError);
  });
});

describe('resolvePagerConfig', () => {
  it('applies the defaults: gfn 0 never evicted', () => {
    expect(resolvePagerConfig()).toEqual({ batchSize: 256, neverEvict: [0], seed: 1, pageEvents: false, readAttempts: 3, retryIntervalMs: 100 });
  });

  it.each([
    [{ batchSize: 0 }, 'batchSize 0 is not an integer in [1, 65536]'],
    [{ readAttempts: 1.5 }, 'readAttempts 1.5'],
    [{ neverEvict: [-4] }, 'neverEvict: -4 is not a gfn'],
  ] as const)('refuses %o', (config, message) => {
    expect(() => resolvePagerConfig(config)).toThrow(message);
  });
});

describe('a Xen pager\'s ABIs', () => {
  const hv = { domainInfo: () => ({ domid: 1, maxPages: 64, totPages: 64, pagedPages: 0, vcpus: 1, hvm: true, paging: false }) } as unknown as HypervisorPort;
  const guest = { domid: 1 };
  const store: PagevisorPlugin = { name: 'store', register: (c) => c.provide(PAGE_STORE, {} as PageStore) };
  const policy: PagevisorPlugin = { name: 'policy', register: (c) => c.provide(VICTIM_POLICY, {} as VictimPolicy) };

  it.each([
    [[], 'abi: the pager must speak at least one paging ABI'],
    ['vm_event/v9', 'vm_event/v9'],
  ] as const)('refuse %j with a ConfigError naming abi', (abi, message) => {
    try {
      createPager({ hypervisor: hv, domid: guest.domid, policy, store, abi });
      expect.unreachable();
    } catch (error) {
      expect(isPagevisorError(error, 'CONFIG') && error.setting).toBe('abi');
      expect((error as Error).message).toContain(message);
    }
  });
});
