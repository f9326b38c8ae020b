import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { LinuxError } from '../linux-error.js';

/** What the kernel and this process allow, from the addon's probe. */
export interface NativeProbe {
  readonly ok: boolean;
  readonly errno: number;
  readonly step: 'userfaultfd' | 'UFFDIO_API';
  readonly features: number;
  readonly via: 'syscall' | '/dev/userfaultfd';
}

/** The addon (`src/native/uffd.c`): regions by id, pages by index, outcomes per page. */
export interface NativeAddon {
  probe(): NativeProbe;
  /** A region of `pages` pages; `sampled`: a memfd registered for minor faults too (src/native/sampling.c). */
  create(pages: number, sampled: boolean): number;
  /** Soft-evicts each run of a sampled region: its page-table entries go, its bytes stay. */
  sample(id: number, pages: Uint32Array, count: number): void;
  /** Moves up to `max` accesses a sampled region's minor faults recorded into `into`; returns how many. */
  accesses(id: number, into: Uint32Array, max: number): number;
  /** Bytes a sampled region's memfd holds (its allocated blocks); -1 for other regions. */
  heldBytes(id: number): number;
  view(id: number, threadId: number): ArrayBuffer;
  start(id: number, onActivity: () => void, threadId: number): void;
  drain(id: number, pages: Uint32Array, flags: Uint8Array, who: Int32Array, max: number): number;
  copy(id: number, pages: Uint32Array, count: number, bytes: Uint8Array, outcome: Uint8Array, writeProtect: boolean): void;
  /** The watchdog, before start: a fault unanswered for `deadlineMs` is poisoned (1: SIGBUS for the waiting thread) or the peer killed (2). */
  watch(id: number, deadlineMs: number, action: 1 | 2): void;
  /** How many faults the watchdog has acted on. */
  watchdogFired(id: number): number;
  /** Where this process's region is mapped (0 for a peer's memory). */
  address(id: number): number;
  /** Wakes whoever waits on each page (UFFDIO_WAKE). */
  wake(id: number, pages: Uint32Array, count: number): void;
  zero(id: number, pages: Uint32Array, count: number, outcome: Uint8Array): void;
  protect(id: number, pages: Uint32Array, count: number, on: boolean): void;
  readOut(id: number, pages: Uint32Array, count: number, into: Uint8Array, outcome: Uint8Array): void;
  drop(id: number, pages: Uint32Array, count: number): void;
  /** UFFDIO_COPY of each page from the region's snapshot. */
  fill(id: number, pages: Uint32Array, count: number, outcome: Uint8Array): void;
  /** A region over a peer's memory; segments are (address, first page, pages) triples; absent fds are -1. */
  adopt(uffd: number, memfd: number, pidfd: number, segments: Float64Array, pages: number, snapshotFd: number): number;
  /** SIGKILL to the peer whose memory the region is, through its pidfd. */
  kill(id: number): void;
  /** A listener id: a Unix socket at `path` with `mode`; each connection is read natively and handed to `onPeer`. */
  listen(path: string, mode: number, onPeer: (arrival: NativeArrival) => void): number;
  stopListening(id: number): void;
  /** What a received descriptor is. */
  describeFd(fd: number): { readonly kind: 'userfaultfd' | 'memfd' | 'file' | 'other'; readonly size: number };
  closeFd(fd: number): void;
  /** SIGKILL to the process `pidfd` names. */
  killPeer(pidfd: number): void;
  release(id: number): void;
  close(id: number): void;
  /** Seconds a C thread takes to touch `pages` missing pages while a C handler copies `perFault` pages per fault. */
  baseline(pages: number, perFault: number): number;
  /** Seconds C takes to `MADV_DONTNEED` `pages` written pages of a plain mapping, `run` pages per call; with `copy`, each run copied out first. */
  dropBaseline(pages: number, run: number, copy?: boolean): number;
}

/** One connection to a listening socket, as the addon read it (`src/native/peer.c`). */
export interface NativeArrival {
  readonly pid: number;
  readonly uid: number;
  readonly gid: number;
  /** A pidfd for the peer, -1 if none could be had. */
  readonly pidfd: number;
  /** The descriptors it sent (SCM_RIGHTS), now this process's. */
  readonly fds: readonly number[];
  readonly payload: Buffer;
  /** When the message could not be read: what failed, and its errno. */
  readonly error?: string;
  readonly errno: number;
}

/** Record flags from the addon's drain: a write; a removal (the peer gave the page back). */
export const NATIVE_WRITE = 1;
export const NATIVE_REMOVE = 4;

/** Per-page outcome of the addon's copy, zero and readOut. */
export const NATIVE_OK = 0;
/** The page was already there (EEXIST). */
export const NATIVE_PRESENT = 1;
/** The mapping is changing; try again (EAGAIN). */
export const NATIVE_RETRY = 2;
/** The call failed for this page (not present, outside the region). */
export const NATIVE_FAILED = 3;

const require = createRequire(import.meta.url);
const prebuilt = fileURLToPath(new URL(`../../prebuilds/${process.platform}-${process.arch}/pagevisor_linux.node`, import.meta.url));
const sourceBuild = fileURLToPath(new URL('../../build/Release/pagevisor_linux.node', import.meta.url));
let loaded: NativeAddon | undefined;

/**
 * The addon, loaded once per thread: the prebuilt binary for this platform, else node-gyp's build.
 *
 * @throws {@link LinuxError} `LINUX_UNSUPPORTED` off Linux; `LINUX_NATIVE_MISSING` when no binary loads
 */
export function nativeAddon(): NativeAddon {
  if (loaded !== undefined) return loaded;
  if (process.platform !== 'linux') throw new LinuxError('LINUX_UNSUPPORTED', `userfaultfd is Linux's: this is ${process.platform}; page memory on Linux 5.11 or later`);
  const failures: string[] = [];
  for (const path of [prebuilt, sourceBuild]) {
    try {
      loaded = require(path) as NativeAddon;
      return loaded;
    } catch (error) {
      failures.push(`${path}: ${(error as Error).message.split('\n')[0]}`);
    }
  }
  throw new LinuxError('LINUX_NATIVE_MISSING', `the @pagevisor/linux addon is not built for ${process.platform}-${process.arch} (${failures.join('; ')}); run \`npm rebuild @pagevisor/linux\` with a C compiler and Node's headers installed`);
}
