import { describe, expect, it } from 'vitest';
import { cli } from './support/cli.js';

describe('pagevisor offline demo', () => {
  it('prints one JSON line per scenario with the outcomes issue 7 expects, and exits 0', async () => {
    const { code, out } = await cli('offline', 'demo', '--json');
    expect(code).toBe(0);
    const lines = out.trim().split('\n').map((line) => JSON.parse(line));
    const byName = Object.fromEntries(lines.map((l) => [l.scenario, l]));
    expect(Object.keys(byName)).toEqual(['pv-exchange', 'pv-granted', 'pv-exchange-fails', 'pv-rewrite-fails', 'hvm-relocate', 'hvm-local-migrate', 'hvm-no-paging']);
    expect(byName['pv-exchange']).toMatchObject({ handler: 'pv-exchange', result: 0, frameStatus: 'offlined', contentPreserved: true });
    expect(byName['pv-granted']).toMatchObject({ handler: 'pv-exchange', result: -1, contentPreserved: true });
    expect(byName['pv-exchange-fails']).toMatchObject({ handler: 'pv-exchange', result: -1, contentPreserved: true });
    expect(byName['pv-rewrite-fails']).toMatchObject({ handler: 'pv-exchange', result: -2 });
    expect(byName['hvm-relocate']).toMatchObject({ handler: 'hvm-relocate', result: 0, frameStatus: 'offlined', contentPreserved: true });
    expect(byName['hvm-local-migrate']).toMatchObject({ handler: 'migrate-required', result: 0, frameStatus: 'offlined', contentPreserved: true });
    expect(byName['hvm-no-paging']).toMatchObject({ handler: 'migrate-required', result: 'declined' });
    for (const line of lines) expect(Object.keys(line).slice(0, 5)).toEqual(['scenario', 'handler', 'result', 'frameStatus', 'contentPreserved']);
    for (const line of lines) expect(line).toMatchObject({ expected: true, expectedOutcome: { handler: line.handler, result: line.result, why: expect.any(String) } });
  });

  it('prints a header, says per scenario whether its outcome is the expected one and what it means, and ends with a verdict', async () => {
    const { code, out } = await cli('offline', 'demo');
    expect(code).toBe(0);
    const lines = out.trim().split('\n');
    expect(lines[0]).toMatch(/^scenario\s+handler\s+result\s+frame\s+content\s+as expected\?$/);
    expect(lines).toHaveLength(9);
    expect(lines[2]).toMatch(/^pv-granted .* -1 .*yes: refused: another domain holds a grant of the page$/);
    expect(lines.at(-1)).toBe('ok: all 7 scenarios ended as expected (the -1, -2 and declined results are the failures those scenarios provoke)');
  });
});
