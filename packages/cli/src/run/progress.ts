import type { CliIo } from '../cli-io.js';

/**
 * Progress on stderr: a bar redrawn in place on a terminal, otherwise one plain line per 10%.
 * `detail` says what the numbers are (`5000/10000 ops, 120 faults`).
 */
export function progressReporter(io: CliIo, tty: boolean = process.stderr.isTTY === true): (done: number, total: number, detail: string) => void {
  let lastDecile = -1;
  return (done, total, detail) => {
    const fraction = total === 0 ? 1 : done / total;
    if (tty) {
      const width = 30;
      const filled = Math.round(fraction * width);
      io.err(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(fraction * 100).toFixed(0).padStart(3)}% ${detail}${done >= total ? '\n' : ''}`);
      return;
    }
    const decile = Math.floor(fraction * 10);
    if (decile > lastDecile) {
      lastDecile = decile;
      io.err(`${(decile * 10).toString().padStart(3)}% ${detail}\n`);
    }
  };
}
