import { loopWorkload, mixWorkload, phasedWorkload, readTrace, scanWorkload, traceWorkload, zipfWorkload, type TraceFormat, type Workload } from '@pagevisor/testing';
import { guessTraceFormat } from '../trace-format.js';

/** What `--workload`, `--format`, `--accesses` and `--seed` ask for. */
export interface WorkloadChoice {
  /** `phases`, `zipf`, `loop`, `scan`, `mix`, or a trace file. */
  readonly workload: string;
  readonly format?: TraceFormat | undefined;
  readonly accesses: number;
  readonly seed: number;
}

/** The workload `pagevisor run` replays, over `pages` pages for the generated ones. */
export function workloadNamed(options: WorkloadChoice, pages: number): Workload {
  const generator = { pages, accesses: options.accesses, seed: options.seed };
  switch (options.workload) {
    case 'zipf':
      return zipfWorkload(generator);
    case 'loop':
      return loopWorkload({ ...generator, loop: Math.floor(pages * 0.75) });
    case 'scan':
      return scanWorkload(generator);
    case 'mix':
      return mixWorkload(generator);
    case 'phases':
      return phasedWorkload(generator);
    default:
      return traceWorkload(readTrace(options.workload, { format: options.format ?? guessTraceFormat(options.workload) }));
  }
}
