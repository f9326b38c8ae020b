import type { InterleaveAction } from './interleave-schedule.js';
import { runInterleaved, type InterleaveOptions, type InterleaveResult } from './interleave-run.js';

/**
 * Options of {@link shrinkInterleaved}.
 *
 * @example
 * ```ts
 * await shrinkInterleaved(options, { maxRuns: 100 });
 * ```
 */
export interface ShrinkOptions {
  /** Runs to spend at most (default 300). */
  readonly maxRuns?: number;
}

/**
 * Reduces a failing interleaved run to a short schedule that fails the same way (same problem kind),
 * by delta debugging: drop chunks of actions, halving the chunk size when no chunk can go, then single
 * actions. The guest's own seeded steps stay; only the schedule's actions are removed.
 *
 * @returns the shortest failing run found (the original when it does not fail)
 *
 * @example
 * ```ts
 * const small = await shrinkInterleaved({ abi: 'vm_event/v7', seed: 3, policy: xenpaging(), store: memoryStore() });
 * console.log(formatSchedule(small.schedule)); // a handful of actions
 * ```
 */
export async function shrinkInterleaved(options: InterleaveOptions, shrink: ShrinkOptions = {}): Promise<InterleaveResult> {
  let best = await runInterleaved(options);
  if (best.ok) return best;
  const kind = best.problems[0]!.kind;
  const maxRuns = shrink.maxRuns ?? 300;
  let runs = 1;
  const attempt = async (schedule: readonly InterleaveAction[]): Promise<boolean> => {
    runs++;
    const result = await runInterleaved({ ...options, schedule });
    if (result.ok || result.problems[0]!.kind !== kind) return false;
    best = result;
    return true;
  };
  // Actions past the run's last point never ran: drop them first.
  await attempt(best.schedule.filter((a) => a.at < best.points));
  let chunks = 2;
  while (runs < maxRuns && best.schedule.length > 0) {
    const current = best.schedule;
    const size = Math.ceil(current.length / chunks);
    let removed = false;
    for (let start = 0; start < current.length && runs < maxRuns; start += size) {
      if (await attempt([...current.slice(0, start), ...current.slice(start + size)])) {
        removed = true;
        break;
      }
    }
    if (removed) chunks = Math.max(2, chunks - 1);
    else if (size === 1) break;
    else chunks = Math.min(current.length, chunks * 2);
  }
  return best;
}
