import { parseSize } from '@pagevisor/core';

/**
 * Why a run's target is what it is, in words: `--target` is pages (`42`), memory in KiB, MiB or GiB
 * of 4 KiB pages (`42K`, `42M`, `42G`: `4M` is 4 MiB, 1024 pages), or a share of the guest's RAM (`42%`).
 */
export function describeTarget(value: string, target: number, ramPages: number): string {
  const given = value.trim();
  const unit = /([KMG%])$/i.exec(given)?.[1]?.toUpperCase();
  if (unit === '%') return `${given} of the guest's ${ramPages} RAM pages`;
  const capped = parseSize(given, Number.MAX_SAFE_INTEGER) > target ? `, capped at the guest's ${ramPages} RAM pages` : '';
  if (unit === undefined) return `--target ${given} pages${capped}`;
  return `--target ${given} = ${given.slice(0, -1)} ${unit}iB of 4 KiB pages${capped}`;
}
