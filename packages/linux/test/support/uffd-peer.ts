// The C peer (peer/uffd-peer.c), built once per run with the machine's C compiler, and a way to run
// it with a deadline. CI has the compiler; elsewhere tests that need it skip with the reason.
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const source = fileURLToPath(new URL('../../peer/uffd-peer.c', import.meta.url));

function build(): { path?: string; problem?: string } {
  const path = join(mkdtempSync(join(tmpdir(), 'uffd-peer-')), 'uffd-peer');
  try {
    execFileSync(process.env.CC ?? 'cc', ['-O2', '-Wall', '-Wextra', '-Werror', '-o', path, source], { stdio: 'pipe' });
    return { path };
  } catch (error) {
    return { problem: `no C compiler built peer/uffd-peer.c: ${(error as Error).message.split('\n')[0]}` };
  }
}

const built = build();
if (process.env.PAGEVISOR_REQUIRE_UFFD === '1' && built.path === undefined) throw new Error(built.problem);
/** Empty, or why the tests that need the C peer skip. */
export const peerSkipReason = built.path === undefined ? ` (skipped: ${built.problem})` : '';
export const peerAvailable = built.path !== undefined && existsSync(built.path);

/** What a peer run printed, and how it ended. */
export interface PeerRun {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the peer with `args`; it is killed (SIGKILL) if it has not exited within `deadlineMs`. */
export function runPeer(args: readonly string[], deadlineMs = 20_000): Promise<PeerRun> {
  return new Promise((resolve) => {
    const child = execFile(built.path!, args, { timeout: deadlineMs, killSignal: 'SIGKILL' }, (error, stdout, stderr) => {
      resolve({ code: child.exitCode, signal: child.signalCode, stdout, stderr: stderr + ((error as { killed?: boolean } | null)?.killed === true ? `\n(killed at the ${deadlineMs} ms deadline)` : '') });
    });
  });
}

/** Word i of page p in the pattern of `seed`, as uffd-peer.c's pattern() computes it. */
function patternWords(seed: bigint, pages: number): BigUint64Array {
  const words = new BigUint64Array(pages * 512);
  const k = 0x9e3779b97f4a7c15n;
  for (let w = 0; w < words.length; w++) words[w] = BigInt.asUintN(64, BigInt(w) * k) ^ seed;
  return words;
}

/** A memory snapshot file of `pages` pages holding the pattern of `seed`, cut to `bytes` if given (a truncated one). */
export function snapshotFile(dir: string, pages: number, seed: number, bytes?: number): string {
  const path = join(dir, `snapshot-${seed}.mem`);
  const data = new Uint8Array(patternWords(BigInt(seed), pages).buffer);
  writeFileSync(path, bytes === undefined ? data : data.subarray(0, bytes));
  return path;
}
