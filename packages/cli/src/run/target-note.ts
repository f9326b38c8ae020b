import { parseSize } from '@pagevisor/core';

const PARTS = ['', '', 'half', 'third', 'quarter'];

/**
 * Why a run's target is what it is, in words: `--target` is pages (`42`), memory in KiB, MiB or GiB
 * of 4 KiB pages (`42K`, `42M`, `42G`: `4M` is 4 MiB, 1024 pages), or a share of the guest's RAM
 * (`42%`); a list gives each equal part of the workload its own (`50%,25%,50%`).
 */
export function describeTarget(value: string, targets: readonly number[], ramPages: number): string {
  const given = value.split(',').map((part) => part.trim());
  const pages = `${targets.join(' → ')} pages`;
  const why = given.map((part, i) => reason(part, targets[i]!, ramPages));
  if (targets.length === 1) return `${pages}: ${why[0]}`;
  const share = PARTS[targets.length] ?? `1/${targets.length}`;
  return `${pages}, each for a ${share} of the workload: ${why.join('; ')}`;
}

function reason(given: string, target: number, ramPages: number): string {
  const unit = /([KMG%])$/i.exec(given)?.[1]?.toUpperCase();
  if (unit === '%') return `${given} of the guest's ${ramPages} RAM pages`;
  const capped = parseSize(given, Number.MAX_SAFE_INTEGER) > target ? `, capped at the guest's ${ramPages} RAM pages` : '';
  if (unit === undefined) return `--target ${given} pages${capped}`;
  return `--target ${given} = ${given.slice(0, -1)} ${unit}iB of 4 KiB pages${capped}`;
}
