import { describe, expect, it } from 'vitest';
import { cli } from './support/cli.js';

describe('pagevisor offline demo', () => {
  it('prints one JSON line per scenario with the outcomes issue 7 expects, and exits 0', async () => {
    const { code, out } = await cli('offline', 'demo', '--json');
    expect(code).toBe(0);
    const lines = out.trim().split('\n').map((line) => JSON.parse(line));
    const byName = Object.fromEntries(lines.map((l) => [l.scenario, l]));
    expect(Object.keys(byName)).toEqual(['pv-exchange', 'pv-granted', 'pv-exchange-fails', 'pv-rewrite-fails', 'hvm-relocate', 'hvm-no-paging']);
    expect(byName['pv-exchange']).toMatchObject({ handler: 'pv-exchange', result: 0, frameStatus: 'offlined', contentPreserved: true });
    expect(byName['pv-granted']).toMatchObject({ handler: 'pv-exchange', result: -1, contentPreserved: true });
    expect(byName['pv-exchange-fails']).toMatchObject({ handler: 'pv-exchange', result: -1, contentPreserved: true });
    expect(byName['pv-rewrite-fails']).toMatchObject({ handler: 'pv-exchange', result: -2 });
    expect(byName['hvm-relocate']).toMatchObject({ handler: 'hvm-relocate', result: 0, frameStatus: 'offlined', contentPreserved: true });
    expect(byName['hvm-no-paging']).toMatchObject({ handler: 'migrate-required', result: 'declined' });
    for (const line of lines) expect(Object.keys(line).slice(0, 5)).toEqual(['scenario', 'handler', 'result', 'frameStatus', 'contentPreserved']);
  });
});
