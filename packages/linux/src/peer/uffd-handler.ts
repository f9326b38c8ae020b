import { closeSync, existsSync, fstatSync, openSync, unlinkSync } from 'node:fs';
import { Subject, type Observable } from 'rxjs';
import { createPager, isPagevisorError, type Pager, type PagerConfig, type PagerStats, type PagevisorPlugin } from '@pagevisor/core';
import { LinuxError } from '../linux-error.js';
import { nativeAddon, type NativeAddon, type NativeArrival } from '../internal/native-addon.js';
import { ReadAheadWindow, type ReadAheadOptions } from '../read-ahead.js';
import { UserfaultfdBackend } from '../userfaultfd-backend.js';
import { parseHandshake, type GuestRegionUffdMapping } from './guest-region-mapping.js';
import { checkPeerMemory } from './peer-memory.js';
import { checkWatchdog, type WatchdogOptions } from '../watchdog-options.js';

const PAGE = 4096;

/**
 * The watchdog of {@link UffdHandlerOptions}: what happens to a peer whose fault waits past the deadline.
 *
 * @example
 * ```ts
 * listenForPeers({ socket, memFile, policy, store, watchdog: { deadlineMs: 2000, action: 'poison' } });
 * ```
 */
export interface PeerWatchdogOptions extends WatchdogOptions {
  /** `kill` the peer (the default), or `poison` the page (the peer's faulting thread gets SIGBUS). */
  readonly action?: 'kill' | 'poison';
}

/** How long a session's pager has to stop before it is abandoned. */
const STOP_WAIT_MS = 5000;
/**
 * The most memory one peer may announce unless {@link UffdHandlerOptions.maxBytes} says otherwise: 16 GiB.
 *
 * @example
 * ```ts
 * listenForPeers({ socket, policy, store, maxBytes: 4 * DEFAULT_PEER_LIMIT }); // 64 GiB microVMs
 * ```
 */
export const DEFAULT_PEER_LIMIT = 16 * 2 ** 30;

/**
 * How to run a {@link UffdHandler}.
 *
 * @example
 * ```ts
 * const options: UffdHandlerOptions = { socket: '/run/vm1.sock', memFile: './snapshot.mem', policy: () => clock(), store: () => memoryStore() };
 * ```
 */
export interface UffdHandlerOptions {
  /** Where to create the socket (it must not exist). */
  readonly socket: string;
  /** The memory snapshot to serve first faults from (Firecracker's `mem_file`); without it pages start as zeros. */
  readonly memFile?: string;
  /** A victim policy plugin for each peer. */
  readonly policy: (peer: PeerInfo) => PagevisorPlugin;
  /** A page store plugin for each peer: where its evicted pages go. */
  readonly store: (peer: PeerInfo) => PagevisorPlugin;
  /** Pages of each peer to keep resident, or a function of the peer (default: all; fewer needs the peer's memfd). */
  readonly target?: number | ((peer: PeerInfo) => number);
  /** Uids besides this process's own that may connect; with any, the socket is mode 0666 and this list is the gate. */
  readonly allowUids?: readonly number[];
  /** The most memory a peer may announce (default {@link DEFAULT_PEER_LIMIT}); a peer announcing more is refused. */
  readonly maxBytes?: number;
  /** Read-ahead on each peer's faults. */
  readonly readAhead?: ReadAheadOptions;
  /** Pager settings for each peer. */
  readonly config?: PagerConfig;
  /**
   * A native watchdog for each peer: a fault left unanswered for `deadlineMs` (a store that hangs)
   * kills the peer (`kill`, the default) or poisons the page (`poison`: the peer's thread gets SIGBUS;
   * a peer that did not negotiate `UFFD_FEATURE_POISON` is killed instead). Default none.
   */
  readonly watchdog?: PeerWatchdogOptions;
}

/**
 * A peer being served: who it is (from `SO_PEERCRED`) and the memory it announced.
 *
 * @example
 * ```ts
 * handler.events$.subscribe((e) => e.type === 'peer.serving' && console.log(e.peer.pid, e.peer.bytes));
 * ```
 */
export interface PeerInfo {
  /** Its process id, from `SO_PEERCRED` (a pidfd follows it). */
  readonly pid: number;
  /** Its user id, from `SO_PEERCRED`. */
  readonly uid: number;
  /** Its group id, from `SO_PEERCRED`. */
  readonly gid: number;
  /** Names its memory in stores' defaults: `peer<pid>`. */
  readonly name: string;
  /** The regions of memory it announced. */
  readonly mappings: readonly GuestRegionUffdMapping[];
  /** Pages in its page space (page `p` is byte `p * 4096` of the memory file). */
  readonly pages: number;
  /** Bytes of memory it announced. */
  readonly bytes: number;
  /** Whether it sent its memfd, so its pages can be evicted. */
  readonly memfd: boolean;
}

/**
 * What a {@link UffdHandler} did: one event per peer refused, served, or gone.
 *
 * @example
 * ```ts
 * handler.events$.subscribe((e) => e.type === 'peer.refused' && console.error(`refused pid ${e.pid}: ${e.reason}`));
 * ```
 */
export type UffdHandlerEvent =
  | {
      /** A connection was refused (its descriptors closed, nothing allocated). */
      readonly type: 'peer.refused';
      /** Its pid, from `SO_PEERCRED`. */
      readonly pid: number;
      /** Its uid, from `SO_PEERCRED`. */
      readonly uid: number;
      /** Why, as a `LINUX_HANDSHAKE` message. */
      readonly reason: string;
      /** Whether it was killed too: a peer that may connect and sent its uffd (its memory would read zeros). */
      readonly killed: boolean;
    }
  | {
      /** A peer's memory is served from now on. */
      readonly type: 'peer.serving';
      /** The peer. */
      readonly peer: PeerInfo;
      /** Whether its pages can be evicted (it sent its memfd). */
      readonly evicting: boolean;
    }
  | {
      /** A session ended: the peer exited, or the handler closed. */
      readonly type: 'peer.exited';
      /** The peer. */
      readonly peer: PeerInfo;
      /** Its pager's counters at the end. */
      readonly stats: PagerStats;
    }
  | {
      /** A session's pager failed (it was stopped, the peer killed if its pages were not all in). */
      readonly type: 'peer.failed';
      /** The peer. */
      readonly peer: PeerInfo;
      /** What failed. */
      readonly error: unknown;
    };

interface Session {
  readonly peer: PeerInfo;
  readonly pager: Pager;
  readonly backend: UserfaultfdBackend;
}

/**
 * Serves the page faults of other processes (a Firecracker microVM restoring a snapshot, or any VMM
 * that speaks its handshake) from a memory snapshot and a store, each peer with its own pager. Make
 * one with {@link listenForPeers}.
 *
 * @example
 * ```ts
 * const handler = listenForPeers({ socket: '/run/vm1.sock', memFile: 'vm1.mem', policy: () => clock(), store: () => memoryStore() });
 * process.on('SIGINT', () => void handler.close('graceful'));
 * ```
 */
export class UffdHandler {
  private readonly events = new Subject<UffdHandlerEvent>();
  private readonly sessions = new Map<number, Session>();
  private listener = -1;
  private snapshotFd = -1;
  private snapshotBytes = 0;
  private closed = false;

  /**
   * @internal use {@link listenForPeers}
   * @param native - the addon
   * @param options - what to serve
   */
  constructor(
    private readonly native: NativeAddon,
    private readonly options: UffdHandlerOptions,
  ) {}

  /** Peers refused, served and gone. */
  get events$(): Observable<UffdHandlerEvent> {
    return this.events.asObservable();
  }

  /** The peers served now, by pid. */
  get peers(): readonly PeerInfo[] {
    return [...this.sessions.values()].map((s) => s.peer);
  }

  /** The pager serving peer `pid`, while it is served. */
  pagerOf(pid: number): Pager | undefined {
    return this.sessions.get(pid)?.pager;
  }

  /** @internal opens the snapshot and the socket */
  listen(): void {
    const { socket, memFile, watchdog } = this.options;
    checkWatchdog(watchdog);
    if (existsSync(socket)) throw new LinuxError('LINUX_ARGUMENT', `${socket} exists: remove it (a handler that stopped without cleaning up) or choose another path`);
    if (memFile !== undefined) {
      try {
        this.snapshotFd = openSync(memFile, 'r');
        this.snapshotBytes = fstatSync(this.snapshotFd).size;
      } catch (error) {
        throw new LinuxError('LINUX_ARGUMENT', `cannot read the memory snapshot ${memFile}: ${(error as Error).message}`, { cause: error });
      }
    }
    const mode = (this.options.allowUids?.length ?? 0) > 0 ? 0o666 : 0o600;
    try {
      this.listener = this.native.listen(socket, mode, (arrival) => void this.arrive(arrival));
    } catch (error) {
      this.closeSnapshot();
      throw new LinuxError('LINUX_SYSCALL', `cannot listen on ${socket}: ${(error as Error).message}`, { errno: (error as { errno?: number }).errno, cause: error });
    }
  }

  /**
   * Stops listening and ends every session: `graceful` brings each peer's pages in and leaves its
   * memory as plain memory; `hard` kills a peer with pages not in (never a hang, never a zero page).
   */
  async close(mode: 'graceful' | 'hard' = 'graceful'): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.listener >= 0) this.native.stopListening(this.listener);
    if (existsSync(this.options.socket)) unlinkSync(this.options.socket);
    await Promise.all([...this.sessions.values()].map((s) => this.end(s, mode)));
    this.closeSnapshot();
    this.events.complete();
  }

  private closeSnapshot(): void {
    if (this.snapshotFd >= 0) closeSync(this.snapshotFd);
    this.snapshotFd = -1;
  }

  private async arrive(arrival: NativeArrival): Promise<void> {
    let adopted = false;
    try {
      if (this.closed) throw new LinuxError('LINUX_HANDSHAKE', 'the handler is closing');
      const peer = this.check(arrival);
      const session = this.adopt(arrival, peer);
      adopted = true;
      this.sessions.set(peer.pid, session);
      session.backend.peerExited$.subscribe(() => void this.end(session, 'hard'));
      session.pager.events$.subscribe({
        error: (error: unknown) => {
          // The pager gave up (a store that keeps failing, say): the peer cannot be served any more.
          this.events.next({ type: 'peer.failed', peer, error });
          void this.end(session, 'hard');
        },
      });
      try {
        await session.pager.start();
      } catch (error) {
        this.events.next({ type: 'peer.failed', peer, error });
        await this.end(session, 'hard');
        return;
      }
      this.events.next({ type: 'peer.serving', peer, evicting: session.backend.evictable });
    } catch (error) {
      const killed = !adopted && this.killRefused(arrival);
      if (!adopted) {
        for (const fd of arrival.fds) this.native.closeFd(fd);
        if (arrival.pidfd >= 0) this.native.closeFd(arrival.pidfd);
      }
      this.events.next({ type: 'peer.refused', pid: arrival.pid, uid: arrival.uid, reason: (error as Error).message, killed });
    }
  }

  /**
   * A refused peer that may connect and sent its memory's uffd is killed: Firecracker closes its own
   * copy once sent (src/vmm/src/persist.rs, send_uffd_handshake), so when the handler closes this one
   * its guest memory turns into plain anonymous memory, reading zeros where the snapshot was. A uid
   * that may not connect is left alone: no effect at all.
   */
  private killRefused(arrival: NativeArrival): boolean {
    if (!this.mayConnect(arrival.uid) || arrival.pidfd < 0) return false;
    if (!arrival.fds.some((fd) => this.native.describeFd(fd).kind === 'userfaultfd')) return false;
    this.native.killPeer(arrival.pidfd);
    return true;
  }

  private mayConnect(uid: number): boolean {
    return uid === (process.getuid?.() ?? -1) || (this.options.allowUids ?? []).includes(uid);
  }

  /** Everything about a connection checked before anything is allocated; the peer it is. */
  private check(arrival: NativeArrival): PeerInfo {
    if (arrival.error !== undefined) throw new LinuxError('LINUX_HANDSHAKE', `refused handshake: ${arrival.error} (errno ${arrival.errno})`);
    if (!this.mayConnect(arrival.uid)) throw new LinuxError('LINUX_HANDSHAKE', `refused handshake: uid ${arrival.uid} is neither this handler's (${process.getuid?.() ?? -1}) nor on its allow list`);
    if (arrival.pidfd < 0) throw new LinuxError('LINUX_HANDSHAKE', `refused handshake: no pidfd for peer ${arrival.pid} (it exited already?)`);
    const { mappings, pages, bytes } = parseHandshake(arrival.payload, this.options.maxBytes ?? DEFAULT_PEER_LIMIT);
    const [uffd, memfd, ...extra] = arrival.fds;
    if (uffd === undefined || this.native.describeFd(uffd).kind !== 'userfaultfd') throw new LinuxError('LINUX_HANDSHAKE', `refused handshake: the first descriptor is ${uffd === undefined ? 'missing' : `a ${this.native.describeFd(uffd).kind}`}, not a userfaultfd`);
    if (extra.length > 0) throw new LinuxError('LINUX_HANDSHAKE', `refused handshake: ${arrival.fds.length} descriptors; a handshake sends a userfaultfd and at most a memfd`);
    if (memfd !== undefined) {
      const { kind, size } = this.native.describeFd(memfd);
      if (kind !== 'memfd') throw new LinuxError('LINUX_HANDSHAKE', `refused handshake: the second descriptor is a ${kind}, not a memfd`);
      if (size < pages * PAGE) throw new LinuxError('LINUX_HANDSHAKE', `refused handshake: the memfd has ${size} bytes, the mappings need ${pages * PAGE}`);
    }
    if (this.snapshotFd >= 0 && this.snapshotBytes < pages * PAGE) throw new LinuxError('LINUX_HANDSHAKE', `refused handshake: the snapshot ${this.options.memFile} has ${this.snapshotBytes} bytes, the mappings need ${pages * PAGE} (truncated?)`);
    checkPeerMemory(arrival.pid, mappings);
    if (this.sessions.has(arrival.pid)) throw new LinuxError('LINUX_HANDSHAKE', `refused handshake: peer ${arrival.pid} is served already`);
    return { pid: arrival.pid, uid: arrival.uid, gid: arrival.gid, name: `peer${arrival.pid}`, mappings, pages, bytes, memfd: memfd !== undefined };
  }

  private adopt(arrival: NativeArrival, peer: PeerInfo): Session {
    const segments = new Float64Array(peer.mappings.length * 3);
    peer.mappings.forEach((m, i) => segments.set([m.base_host_virt_addr, m.offset / PAGE, m.size / PAGE], i * 3));
    const [uffd, memfd] = arrival.fds;
    const id = this.native.adopt(uffd!, memfd ?? -1, arrival.pidfd, segments, peer.pages, this.snapshotFd);
    const { watchdog } = this.options;
    if (watchdog !== undefined) this.native.watch(id, watchdog.deadlineMs, watchdog.action === 'poison' ? 1 : 2);
    const { readAhead, target, config } = this.options;
    const resident = typeof target === 'function' ? target(peer) : (target ?? peer.pages);
    const backend = new UserfaultfdBackend(this.native, id, peer.pages, peer.name, peer.memfd ? resident : peer.pages, {
      peer: true,
      snapshot: this.snapshotFd >= 0,
      evictable: peer.memfd,
      ...(readAhead === undefined ? {} : { readAhead: new ReadAheadWindow(readAhead) }),
    });
    const pager = createPager({ backend, policy: this.options.policy(peer), store: this.options.store(peer), ...(config === undefined ? {} : { config }) });
    return { peer, pager, backend };
  }

  private async end(session: Session, mode: 'graceful' | 'hard'): Promise<void> {
    if (this.sessions.get(session.peer.pid) !== session) return;
    this.sessions.delete(session.peer.pid);
    let timer: NodeJS.Timeout | undefined;
    try {
      // A pager stuck in its store (the case the watchdog is for) may never stop: it is abandoned.
      const stuck = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new LinuxError('LINUX_STATE', `the pager of peer ${session.peer.pid} did not stop within ${STOP_WAIT_MS} ms: abandoned`)), STOP_WAIT_MS);
      });
      await Promise.race([session.pager.stop(mode), stuck]);
    } catch (error) {
      // PAGER_STATE: it stopped itself, and said why on its events.
      if (!isPagevisorError(error, 'PAGER_STATE')) this.events.next({ type: 'peer.failed', peer: session.peer, error });
    } finally {
      clearTimeout(timer);
    }
    session.backend.close(mode); // a pager that never started leaves the backend to close here
    this.events.next({ type: 'peer.exited', peer: session.peer, stats: session.pager.stats });
  }
}

/**
 * Listens on a Unix socket for peers that hand over their memory's userfaultfd, Firecracker-style:
 * one message with a JSON array of {@link GuestRegionUffdMapping} and the uffd (optionally followed
 * by the peer's memfd, Pagevisor's extension that lets pages be evicted) as `SCM_RIGHTS` data.
 *
 * @remarks
 * The socket is created mode 0600 (0666 when {@link UffdHandlerOptions.allowUids} lets other uids in);
 * each peer's uid from `SO_PEERCRED` must be this process's or on the allow list. A uid that may not
 * connect gets one `peer.refused` event and nothing else: its descriptors are closed, nothing is
 * allocated. A peer that may connect but whose handshake is refused (malformed, over the limits, a
 * truncated snapshot) is killed as well, if it sent a uffd: Firecracker keeps no copy of it, so its
 * memory would otherwise read as zeros.
 *
 * @throws {@link LinuxError} `LINUX_ARGUMENT` when the socket path exists or the snapshot cannot be
 * read; `LINUX_SYSCALL` when the socket cannot be created
 *
 * @example
 * ```ts
 * const handler = listenForPeers({ socket: '/tmp/vm.sock', memFile: 'vm.mem', policy: () => clock(), store: () => memoryStore() });
 * handler.events$.subscribe((event) => console.log(event.type));
 * ```
 */
export function listenForPeers(options: UffdHandlerOptions): UffdHandler {
  const handler = new UffdHandler(nativeAddon(), options);
  handler.listen();
  return handler;
}
