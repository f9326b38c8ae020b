import { describe, expect, it } from 'vitest';
import { cli } from './support/cli.js';

describe('pagevisor migrate', { timeout: 120_000 }, () => {
  it('streams a paged guest from a memory store, and reports the destination clean (JSON)', async () => {
    const { code, out } = await cli('migrate', '--pages', '2048', '--store', 'memory', '--json');
    expect(code).toBe(0);
    const report = JSON.parse(out);
    expect(report).toMatchObject({ outcome: 'migrated', transfer: 'stream', byReference: 0, invariantViolations: 0, integrity: { mismatches: 0 } });
    expect(report.streamed).toBeGreaterThan(report.pagedOutBefore / 2);
    expect(report.integrity.checked).toBeGreaterThan(1900);
    expect(report.rounds).toBeGreaterThanOrEqual(2);
    expect(report.downtimeMs).toBeLessThan(report.totalMs);
  });

  it('moves the paged-out pages of a pagefile by reference, with fewer bytes, and ends with a verdict line', async () => {
    const { code, out } = await cli('migrate', '--pages', '2048', '--store', 'pagefile');
    expect(code).toBe(0);
    expect(out).toMatch(/^sent +\d+ pages, \d+ bytes; [1-9]\d* by reference, 0 streamed from the store$/m);
    expect(out).toMatch(/^destination +\d+ pages checked \([1-9]\d* paged out\), 0 wrong; 0 invariant violations$/m);
    expect(out.trim().split('\n').at(-1)).toBe('ok: the guest runs on the destination with every page intact');
  });

  it('post-copy: the guest resumes on the destination after one round, its owed pages fetched and pushed (JSON and text)', async () => {
    const { code, out } = await cli('migrate', '--pages', '2048', '--mode', 'postcopy', '--store', 'pagefile', '--json');
    expect(code).toBe(0);
    const report = JSON.parse(out);
    expect(report).toMatchObject({ outcome: 'migrated', mode: 'postcopy', transfer: 'by-reference', rounds: 2, guestLost: false, invariantViolations: 0, integrity: { mismatches: 0 } });
    expect(report.postcopy.owed).toBeGreaterThan(0);
    expect(report.postcopy.requested + report.postcopy.pushed).toBeLessThanOrEqual(report.postcopy.owed);
    expect(report.postcopy.requested + report.postcopy.pushed).toBeGreaterThan(0);
    const text = await cli('migrate', '--pages', '1024', '--mode', 'postcopy');
    expect(text.code).toBe(0);
    expect(text.out).toMatch(/^post-copy +\d+ pages owed at the resume: \d+ sent on request \(\d+ requests\), \d+ pushed; 0 reconnections; [\d.]+ ms$/m);
    expect(text.out.trim().split('\n').at(-1)).toBe('ok: the guest runs on the destination with every page intact');
  });

  it.each([
    [['--mode', 'hybrid'], /--mode "hybrid": expected precopy or postcopy/],
    [['--store', 'memory', '--transfer', 'by-reference'], /needs a store both hosts reach/],
    [['--transfer', 'teleport'], /--transfer "teleport": expected by-reference or stream/],
    [['--pages', '10'], /--pages "10": expected a whole number from 1024/],
  ])('refuses %j with a usage error (exit 2)', async (args, message) => {
    const { code, err } = await cli('migrate', ...args);
    expect([code, err]).toEqual([2, expect.stringMatching(message)]);
  });
});
