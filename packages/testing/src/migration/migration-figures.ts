import type { MigrationReport } from './migrate.js';
import type { PostcopyFigures } from './postcopy-phase.js';

/**
 * A {@link MigrationReport}'s numbers, for printing and benchmarks: times in milliseconds.
 *
 * @example
 * ```ts
 * const { downtimeMs, bytesSent } = migrationFigures(await migrate(options));
 * ```
 */
export interface MigrationFigures {
  /** Rounds sent, the last included. */
  readonly rounds: number;
  /** gfns sent, over every round. */
  readonly pagesSent: number;
  /** Bytes through the wire. */
  readonly bytesSent: number;
  /** Paged-out pages moved by reference. */
  readonly byReference: number;
  /** Paged-out pages streamed from the source's store. */
  readonly streamed: number;
  /** Virtual time the guest was paused, ms. */
  readonly downtimeMs: number;
  /** Virtual time of the whole migration, ms. */
  readonly totalMs: number;
  /** The destination's check of every page, when the guest arrived. */
  readonly integrity:
    | {
        /** Pages checked: every RAM gfn, resident or paged out. */
        readonly checked: number;
        /** Of those, the ones paged out (checked in the store). */
        readonly pagedOut: number;
        /** Pages whose content is not the guest's. */
        readonly mismatches: number;
      }
    | undefined;
  /** Invariant violations found where the guest runs now. */
  readonly invariantViolations: number;
  /** Post-copy failed after the resume: the guest is lost (its source domain paused as at the switch-over). */
  readonly guestLost: boolean;
  /** What post-copy did after the resume (post-copy only), its time in ms. */
  readonly postcopy: PostcopyFiguresMs | undefined;
}

/**
 * {@link PostcopyFigures} with the time in milliseconds.
 *
 * @example
 * ```ts
 * const { owed, requested, pushed, ms } = migrationFigures(report).postcopy!;
 * ```
 */
export type PostcopyFiguresMs = Omit<PostcopyFigures, 'ns'> & {
  /** Virtual time from the resume to the last page, ms. */
  readonly ms: number;
};

/**
 * The numbers of a migration's report.
 *
 * @example
 * ```ts
 * console.log(JSON.stringify(migrationFigures(report)));
 * ```
 */
export function migrationFigures(report: MigrationReport): MigrationFigures {
  const verdict = report.verdict;
  return {
    rounds: report.rounds,
    pagesSent: report.pagesSent,
    bytesSent: report.bytesSent,
    byReference: report.byReference,
    streamed: report.streamed,
    downtimeMs: +(report.downtimeNs / 1e6).toFixed(3),
    totalMs: +(report.totalNs / 1e6).toFixed(3),
    integrity: verdict === undefined ? undefined : { checked: verdict.checked, pagedOut: verdict.pagedOut, mismatches: verdict.mismatches.length },
    invariantViolations: report.invariantViolations,
    guestLost: report.guestLost === true,
    postcopy: report.postcopy === undefined ? undefined : { ...withoutNs(report.postcopy), ms: +(report.postcopy.ns / 1e6).toFixed(3) },
  };
}

function withoutNs(figures: PostcopyFigures): Omit<PostcopyFigures, 'ns'> {
  const { ns: _ns, ...rest } = figures;
  return rest;
}
