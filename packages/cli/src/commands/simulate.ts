import { TRACE_FORMATS } from '@pagevisor/testing';
import type { SimulationResult } from '@pagevisor/policies';
import type { Command } from '../command.js';
import { loadTrace, policyList, simulatablePolicyHelp, simulateAll, sizeList, threadCount, THREADS_HELP } from '../simulate/trace-runs.js';

const COMMAND = 'simulate';

/** `pagevisor simulate`: a trace through policies and cache sizes, one JSON line per run. */
export const simulateCommand: Command = {
  path: ['simulate'],
  summary: 'replay a trace through victim policies at cache sizes and count misses',
  help: `Usage: pagevisor simulate --trace FILE [--format F] --policy a,b,... --size n1,n2,... [--threads N] [--json]

Replays the trace through a cache of each size run by each policy, with
libCacheSim's request path (every request looked up; a miss with a full cache
evicts one page; the missed page is always inserted; compulsory misses count),
and prints one line per (policy, size), in that order, as the runs finish.
With --json each line is an object:
trace, policy, size, requests, misses, missRatio, seconds (the simulation
loop only). gzip files are recognised by their first bytes.

Options:
  --trace FILE      the trace
  --format F        ${TRACE_FORMATS.join(' | ')} (guessed from the name)
  --policy LIST     policies, comma-separated, or all (default lru):
                    ${simulatablePolicyHelp(20)}
  --size LIST       cache sizes in pages, or percentages of the trace's pages
                    (default 10%); 0 and 1 work
${THREADS_HELP}
  --skip-bad        count and skip malformed records instead of failing
  --json            JSON lines
  --help            show this help

Examples:
  pagevisor simulate --trace cloudPhysicsIO.vscsi --format vscsi --policy lru,arc,s3fifo --size 1000,10000 --json
  pagevisor simulate --trace lirs-sprite.trace.gz --format lirs --policy adaptive,belady --size 5%,10%,20%
`,
  options: { trace: { type: 'string' }, format: { type: 'string' }, policy: { type: 'string' }, size: { type: 'string' }, threads: { type: 'string' }, 'skip-bad': { type: 'boolean' }, json: { type: 'boolean' } },
  positionals: false,
  async run({ values }, io, interrupt) {
    const policies = policyList(values['policy'], ['lru'], 'policy', COMMAND);
    const trace = loadTrace(values, COMMAND);
    const sizes = sizeList(values['size'], ['10%'], trace.distinct, 'size', COMMAND);
    if (trace.skipped > 0) io.err(`pagevisor simulate: skipped ${trace.skipped} malformed records of ${trace.name}\n`);
    const threads = threadCount(values['threads'], COMMAND);
    // Lines go out in (policy, size) order: a run that finishes early waits for those before it.
    const finished: (SimulationResult | undefined)[] = [];
    let printed = 0;
    const results = await simulateAll(trace, policies, sizes, threads, interrupt.signal, (r, index) => {
      finished[index] = r;
      for (; finished[printed] !== undefined; printed++) io.out(resultLine(trace.name, finished[printed]!, values['json'] === true));
    });
    const runs = results.length;
    if (interrupt.requested !== undefined) io.err(`pagevisor simulate: interrupted by ${interrupt.requested} after ${runs} of ${policies.length * sizes.length} runs\n`);
    return 0;
  },
};

function resultLine(trace: string, r: SimulationResult, json: boolean): string {
  const line = { trace, policy: r.policy, size: r.size, requests: r.requests, misses: r.misses, missRatio: +r.missRatio.toFixed(6), seconds: +r.seconds.toFixed(4) };
  return json ? `${JSON.stringify(line)}\n` : `${line.policy.padEnd(16)} size ${String(line.size).padStart(8)}  ${line.misses} misses of ${line.requests} (${(r.missRatio * 100).toFixed(2)}%)  ${line.seconds} s\n`;
}
