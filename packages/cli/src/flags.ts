import { UsageError } from './usage-error.js';

/** A whole-number flag in `[min, max]`, or `fallback` when absent. */
export function integerFlag(command: string, name: string, value: string | boolean | undefined, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (typeof value === 'string' && /^-\d/.test(value)) throw new UsageError(`--${name} must be a positive integer (from ${min} to ${max}), not ${value}`, command);
  if (typeof value !== 'string' || !/^\d+$/.test(value) || n < min || n > max) {
    throw new UsageError(`--${name} ${JSON.stringify(value)}: expected a whole number from ${min} to ${max}`, command);
  }
  return n;
}
