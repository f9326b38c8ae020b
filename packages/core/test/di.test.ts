import 'reflect-metadata';
import { container, inject, injectable } from 'tsyringe';
import { describe, expect, it } from 'vitest';
import { CLOCK, ConfigError, HYPERVISOR, PAGE_STORE, VICTIM_POLICY, createPager, token, type Clock, type HypervisorPort, type PagevisorPlugin } from '@pagevisor/core';

class Auditor {
  constructor(readonly clock: Clock) {}
}

@injectable()
class ByType {
  constructor(readonly auditor: Auditor) {}
}

@injectable()
class ByToken {
  constructor(@inject(CLOCK) readonly clock: Clock) {}
}

describe('dependency injection', () => {
  it('emits decorator metadata under vitest (guard against a toolchain change)', () => {
    expect(Reflect.getMetadata('design:paramtypes', ByType)).toEqual([Auditor]);
  });

  it('resolves explicit tokens in a child container without touching the global one', () => {
    const child = container.createChildContainer();
    const clock: Clock = { now: () => 42 };
    child.register(CLOCK, { useValue: clock });
    expect(child.resolve(ByToken).clock).toBe(clock);
    expect(container.isRegistered(CLOCK)).toBe(false);
    expect(token('clock')).toBe(CLOCK);
  });

  it('createPager refuses plugins that register nothing, and registers nothing globally', () => {
    const hypervisor = { domainInfo: () => ({ domid: 1, maxPages: 16, totPages: 16, pagedPages: 0, vcpus: 1, hvm: true }) } as unknown as HypervisorPort;
    const empty: PagevisorPlugin = { name: 'empty', register: () => undefined };
    expect(() => createPager({ hypervisor, domid: 1, policy: empty, store: empty })).toThrow(new ConfigError('policy', 'policy plugin "empty" registered no policy'));
    for (const t of [HYPERVISOR, PAGE_STORE, VICTIM_POLICY, CLOCK]) expect(container.isRegistered(t)).toBe(false);
  });

  it('types registration by token: a plugin cannot provide a store that is not one', () => {
    const hypervisor = { domainInfo: () => ({ domid: 1, maxPages: 16, totPages: 16, pagedPages: 0, vcpus: 1, hvm: true }) } as unknown as HypervisorPort;
    const wrong: PagevisorPlugin = {
      name: 'wrong',
      register(c) {
        // @ts-expect-error 42 is not a PageStore
        c.provide(PAGE_STORE, 42);
        expect(c.has(PAGE_STORE)).toBe(true);
        expect(c.resolveAll(VICTIM_POLICY)).toEqual([]);
        expect(() => c.resolve(VICTIM_POLICY)).toThrow(/nothing is provided under @pagevisor\/victim-policy/);
      },
    };
    expect(() => createPager({ hypervisor, domid: 1, policy: wrong, store: wrong })).toThrow(ConfigError);
  });
});
