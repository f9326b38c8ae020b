import type { CliIo } from '../cli-io.js';

/** Reports `done` of `total` for the named phase of a command; `detail` says what the numbers count. */
export type ProgressReporter = (phase: string, done: number, total: number, detail: string) => void;

/**
 * Progress on stderr, one phase after another: a bar redrawn in place on a terminal (ended with a
 * newline when its phase completes), otherwise one plain line per 10% of each phase. A phase reaches
 * 100% only when its work is done.
 */
export function progressReporter(io: CliIo, tty: boolean = process.stderr.isTTY === true): ProgressReporter {
  let phaseNow = '';
  let lastDecile = -1;
  let finished = false;
  return (phase, done, total, detail) => {
    if (phase !== phaseNow) {
      if (tty && !finished && phaseNow !== '') io.err('\n');
      phaseNow = phase;
      lastDecile = -1;
      finished = false;
    }
    if (finished) return;
    const fraction = total <= 0 ? 1 : Math.min(1, done / total);
    const complete = done >= total;
    const percent = complete ? 100 : Math.min(99, Math.floor(fraction * 100));
    if (tty) {
      const width = 30;
      const filled = Math.round((percent / 100) * width);
      io.err(`\r${phase.padEnd(15)} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${String(percent).padStart(3)}% ${detail}\x1b[K${complete ? '\n' : ''}`);
    } else {
      const decile = complete ? 10 : Math.floor(percent / 10);
      if (decile <= lastDecile) return;
      lastDecile = decile;
      io.err(`${phase.padEnd(15)} ${String(decile * 10).padStart(3)}% ${detail}\n`);
    }
    finished = complete;
  };
}
