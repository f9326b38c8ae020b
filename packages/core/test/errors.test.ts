import { describe, expect, it } from 'vitest';
import { AbiError, isPagevisorError, PagevisorError, RingError } from '@pagevisor/core';

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
});
