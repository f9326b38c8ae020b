import { ConfigError } from '@pagevisor/core';
import { SeededRandom } from '../sim/seeded-random.js';

/**
 * What the guest, a backend or the toolstack does at one point of an interleaved run.
 *
 * - `access`, `write`: a guest vcpu reads or writes a gfn (a fault if it is paging);
 * - `balloonOut`: the guest's balloon driver gives a gfn back (`XENMEM_decrease_reservation`:
 *   DROP_PAGE for a paging gfn); `balloonIn`: it takes the oldest one back (`populate_physmap`);
 * - `grantMap`: a backend grant-maps a gfn writable and holds it (netback, blkback);
 * - `foreignMap`: another domain maps a gfn read-only and holds it (qemu, a dump tool);
 * - `release`: the oldest held mapping completes (a grant's I/O writes into the page) and is unmapped;
 * - `hvmCopy`: the hypervisor copies into a gfn for a vcpu (a hypercall argument, an emulated write);
 * - `target`: the toolstack sets a new memory target (`pick` chooses 10–100% of the guest's RAM);
 * - `pause`: the toolstack pauses the whole domain for a few guest steps (`xl pause`, then `xl unpause`;
 *   `pick` says how many, 1 to 8), on top of the pauses paging holds;
 * - `pressure`: another domain takes every free machine frame for a few guest steps (`pick` says how
 *   many, 1 to 8), and every frame freed meanwhile, so page-ins find no memory (`prep` fails with `ENOMEM`);
 * - `controlVcpu`: the pager's and backends' process moves to another vcpu of the control domain
 *   (`pick` modulo 8), which the foreign requests they cause carry as `vcpu_id`.
 *
 * @example
 * ```ts
 * const action: InterleaveAction = { at: 12, op: 'grantMap', vcpu: 0, pick: 3, recent: true };
 * ```
 */
export type InterleaveOp =
  | 'access'
  | 'write'
  | 'balloonOut'
  | 'balloonIn'
  | 'grantMap'
  | 'foreignMap'
  | 'release'
  | 'hvmCopy'
  | 'target'
  | 'pause'
  | 'pressure'
  | 'controlVcpu';

/**
 * Every {@link InterleaveOp}, in the order a seed draws them from.
 *
 * @example
 * ```ts
 * INTERLEAVE_OPS.includes('grantMap'); // true
 * ```
 */
export const INTERLEAVE_OPS: readonly InterleaveOp[] = [
  'access',
  'write',
  'balloonOut',
  'balloonIn',
  'grantMap',
  'foreignMap',
  'release',
  'hvmCopy',
  'target',
  'pause',
  'pressure',
  'controlVcpu',
];

/**
 * One action of a schedule: `op` runs at point `at` of the run (the `at`-th call the pager makes into
 * the hypervisor or its store, or step of the guest between them).
 *
 * @example
 * ```ts
 * // At the 40th point, a backend grant-maps the gfn the pager named most recently.
 * const action: InterleaveAction = { at: 40, op: 'grantMap', vcpu: 0, pick: 0, recent: true };
 * ```
 */
export interface InterleaveAction {
  /** The point of the run it runs at. */
  readonly at: number;
  /** What it does. */
  readonly op: InterleaveOp;
  /** The guest vcpu that does it (guest operations). */
  readonly vcpu: number;
  /** Which gfn: an index into the gfns the pager named lately (`recent`) or into the guest's RAM. */
  readonly pick: number;
  /** Whether `pick` chooses among the gfns the pager's latest calls named (where races live). */
  readonly recent: boolean;
}

/**
 * Options of {@link seededSchedule}.
 *
 * @example
 * ```ts
 * const schedule = seededSchedule(7, { points: 2000, density: 0.3 });
 * ```
 */
export interface ScheduleOptions {
  /** Points of the run that may get actions (default 3000). */
  readonly points?: number;
  /** The chance that a point gets an action (default 0.3); a point gets one to three. */
  readonly density?: number;
  /** Guest vcpus to choose from (default 4). */
  readonly vcpus?: number;
}

/**
 * The schedule a seed stands for: the same seed and options give the same actions, so a failing run
 * is replayed from its seed alone.
 *
 * @example
 * ```ts
 * const actions = seededSchedule(42);
 * const again = seededSchedule(42); // deep-equal to actions
 * ```
 */
export function seededSchedule(seed: number, options: ScheduleOptions = {}): InterleaveAction[] {
  const points = options.points ?? 3000;
  const density = options.density ?? 0.3;
  const vcpus = options.vcpus ?? 4;
  const random = new SeededRandom(seed);
  const actions: InterleaveAction[] = [];
  for (let at = 0; at < points; at++) {
    if (random.float() >= density) continue;
    const count = 1 + random.int(3);
    for (let i = 0; i < count; i++) {
      const op = INTERLEAVE_OPS[random.int(INTERLEAVE_OPS.length)]!;
      actions.push({ at, op, vcpu: random.int(vcpus), pick: random.int(1 << 20), recent: random.float() < 0.6 });
    }
  }
  return actions;
}

/**
 * A schedule as one line per action (`at op vcpu pick recent|ram`), for a failure message or a file:
 * {@link parseSchedule} reads it back.
 *
 * @example
 * ```ts
 * formatSchedule([{ at: 3, op: 'write', vcpu: 1, pick: 99, recent: false }]); // '3 write 1 99 ram'
 * ```
 */
export function formatSchedule(actions: readonly InterleaveAction[]): string {
  return actions.map((a) => `${a.at} ${a.op} ${a.vcpu} ${a.pick} ${a.recent ? 'recent' : 'ram'}`).join('\n');
}

/**
 * Reads a schedule written by {@link formatSchedule}; blank lines and lines starting with `#` are skipped.
 *
 * @throws {@link @pagevisor/core!ConfigError | ConfigError} (setting `schedule`) naming the line that is not an action
 *
 * @example
 * ```ts
 * parseSchedule('3 write 1 99 ram'); // [{ at: 3, op: 'write', vcpu: 1, pick: 99, recent: false }]
 * ```
 */
export function parseSchedule(text: string): InterleaveAction[] {
  const actions: InterleaveAction[] = [];
  text.split('\n').forEach((line, index) => {
    if (line.trim() === '' || line.trimStart().startsWith('#')) return; // blank lines and # comments
    const [at, op, vcpu, pick, where, extra] = line.trim().split(/\s+/);
    const numbers = [at, vcpu, pick].map((word) => (word !== undefined && /^\d+$/.test(word) ? Number(word) : Number.NaN));
    if (extra !== undefined || numbers.some(Number.isNaN) || !INTERLEAVE_OPS.includes(op as InterleaveOp) || (where !== 'recent' && where !== 'ram')) {
      throw new ConfigError('schedule', `schedule line ${index + 1} is not "at op vcpu pick recent|ram": ${JSON.stringify(line)}`);
    }
    actions.push({ at: numbers[0]!, op: op as InterleaveOp, vcpu: numbers[1]!, pick: numbers[2]!, recent: where === 'recent' });
  });
  return actions;
}
