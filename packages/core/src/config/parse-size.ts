import { ConfigError } from '../errors/config-error.js';

const UNITS: Readonly<Record<string, number>> = { '': 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3 };

/**
 * Parses a memory size into pages (4 KiB each): `"42"` is 42 pages, `"42K"`, `"42M"`, `"42G"` are
 * kibibytes, mebibytes, gibibytes (rounded down to whole pages), `"42%"` is 42% of `maxPages`. A number
 * is taken as pages. The result is clamped to `maxPages` (xenpaging: "above max means max").
 *
 * @param value - the size
 * @param maxPages - the domain's size in pages, for `%` and the clamp
 * @param setting - the name errors use (`target`)
 * @returns whole pages in `[0, maxPages]`
 * @throws {@link ConfigError} for anything else, naming the setting and the value
 *
 * @example
 * ```ts
 * parseSize('50%', 1000); // 500
 * parseSize('4M', 1 << 20); // 1024
 * parseSize(1e9, 1000); // 1000
 * ```
 */
export function parseSize(value: string | number, maxPages: number, setting = 'size'): number {
  let pages: number;
  if (typeof value === 'number') {
    if (!Number.isFinite(value) || value < 0) throw new ConfigError(setting, `${setting} ${value} is not a size: expected a number of pages ≥ 0`);
    pages = Math.floor(value);
  } else {
    const match = /^\s*(\d+(?:\.\d+)?)\s*([KMG%]?)\s*$/i.exec(value);
    if (match === null) {
      throw new ConfigError(setting, `${setting} ${JSON.stringify(value)} is not a size: expected pages ("42"), "42K", "42M", "42G" or "42%"`);
    }
    const amount = Number(match[1]);
    const unit = match[2]!.toUpperCase();
    if (unit === '%') {
      if (amount > 100) throw new ConfigError(setting, `${setting} ${JSON.stringify(value)} is more than 100%`);
      pages = Math.floor((amount * maxPages) / 100);
    } else if (unit === '') {
      if (!Number.isInteger(amount)) throw new ConfigError(setting, `${setting} ${JSON.stringify(value)}: a page count must be whole`);
      pages = amount;
    } else {
      pages = Math.floor((amount * UNITS[unit]!) / 4096);
    }
  }
  return Math.min(pages, maxPages);
}
