import { parseSize, isPagevisorError, type PagevisorPlugin } from '@pagevisor/core';
import { DEFAULT_PEER_LIMIT, listenForPeers, type PeerInfo, type UffdHandlerEvent } from '@pagevisor/linux';
import { LIVE_POLICIES, policyNamed, policyRuns } from '@pagevisor/policies';
import { memoryStore, pagefileStore, redisStore } from '@pagevisor/storage';
import type { Command } from '../command.js';
import { integerFlag } from '../flags.js';
import { userPath } from '../paths.js';
import { UsageError } from '../usage-error.js';

const COMMAND = 'uffd-handler';
const STORES = ['memory', 'pagefile', 'redis'] as const;
const MiB = 2 ** 20;

/** `pagevisor uffd-handler`: serves the page faults of other processes (Firecracker microVMs). */
export const uffdHandlerCommand: Command = {
  path: ['uffd-handler'],
  summary: "serve another process's page faults (a Firecracker snapshot restore) from a memory file and a store",
  help: `Usage: pagevisor uffd-handler --socket PATH (--mem-file FILE | --store S) [options]

Listens on a Unix socket for peers that hand over their memory's userfaultfd
the way Firecracker does on snapshot restore: one message with a JSON array of
GuestRegionUffdMapping {base_host_virt_addr, size, offset, page_size,
page_size_kib} and the uffd as SCM_RIGHTS data. Each peer gets its own pager:
first faults are filled from --mem-file (else with zeros), pages the peer
gives back (a balloon's MADV_DONTNEED) are forgotten, and a peer that also
sends its memfd (Pagevisor's extension) is kept at --target by evicting to the
store. One line per peer served, refused or gone. Ctrl-C or SIGTERM stops:
every peer's pages come in, its memory is left as plain memory, the socket is
removed; a second Ctrl-C kills peers with pages still out.

Options:
  --socket PATH     where to create the socket (must not exist); mode 0600
  --mem-file FILE   the memory snapshot (Firecracker's mem_file_path)
  --store S         where evicted pages go: ${STORES.join(' | ')} (default memory;
                    pagefile: a temp file per peer; redis: keys pagevisor:peer<pid>)
  --url U           redis://host:port (with --store redis)
  --target T        pages of each peer to keep resident: pages (8192), a size
                    (64M) or a share of its memory (25%) (default: all of them;
                    fewer needs the peer's memfd)
  --policy P        victim policy (default clock): ${LIVE_POLICIES.join(', ')}
  --read-ahead N    pages to read ahead of a fault on a page out (0 to 1024, default 0)
  --allow-uid U,U   other uids that may connect (the socket is then mode 0666
                    and the uid from SO_PEERCRED is the gate)
  --max-memory SIZE the most memory a peer may announce (default 16G)
  --watchdog MS     kill a peer whose fault stays unanswered for MS milliseconds
                    (a store that hangs), instead of leaving it waiting
  --help            show this help

Examples:
  pagevisor uffd-handler --socket /tmp/vm1.sock --mem-file vm1.mem
    then load the snapshot in Firecracker: PUT /snapshot/load with
    "mem_backend": {"backend_type": "Uffd", "backend_path": "/tmp/vm1.sock"}
  pagevisor uffd-handler --socket /tmp/p.sock --store pagefile --target 25%
    peers that send their memfd are paged out to a pagefile each`,
  options: {
    socket: { type: 'string' },
    'mem-file': { type: 'string' },
    store: { type: 'string' },
    url: { type: 'string' },
    target: { type: 'string' },
    policy: { type: 'string' },
    'read-ahead': { type: 'string' },
    'allow-uid': { type: 'string' },
    'max-memory': { type: 'string' },
    watchdog: { type: 'string' },
  },
  positionals: false,
  async run({ values }, io, interrupt) {
    const socket = typeof values['socket'] === 'string' ? userPath(values['socket']) : undefined;
    if (socket === undefined) throw new UsageError('--socket is required', COMMAND);
    const memFile = typeof values['mem-file'] === 'string' ? userPath(values['mem-file']) : undefined;
    if (memFile === undefined && values['store'] === undefined) throw new UsageError('give --mem-file (the snapshot to serve), --store (where evicted pages go), or both', COMMAND);
    const store = storeFactory(values);
    const policyName = typeof values['policy'] === 'string' ? values['policy'] : 'clock';
    const runs: string | undefined = policyRuns(policyName);
    if (runs !== 'live' && runs !== 'both') throw new UsageError(`--policy: no live policy "${policyName}"; policies: ${LIVE_POLICIES.join(', ')}`, COMMAND);
    const target = sizeFlag(values['target'], '--target');
    const maxBytes = memoryLimit(values['max-memory']);
    const readAhead = integerFlag(COMMAND, 'read-ahead', values['read-ahead'], 0, 0, 1024);
    const allowUids = uidList(values['allow-uid']);
    const watchdogMs = values['watchdog'] === undefined ? undefined : integerFlag(COMMAND, 'watchdog', values['watchdog'], 0, 1, 3_600_000);
    let handler;
    try {
      handler = listenForPeers({
        socket,
        ...(memFile === undefined ? {} : { memFile }),
        policy: () => policyNamed(policyName),
        store,
        ...(target === undefined ? {} : { target: (peer: PeerInfo) => target(peer.pages) }),
        allowUids,
        maxBytes,
        ...(readAhead === 0 ? {} : { readAhead: { pages: readAhead } }),
        ...(watchdogMs === undefined ? {} : { watchdog: { deadlineMs: watchdogMs } }),
      });
    } catch (error) {
      if (isPagevisorError(error)) {
        io.err(`pagevisor ${COMMAND}: ${error.message}\n`);
        return 1;
      }
      throw error;
    }
    io.out(`listening on ${socket} (mode ${allowUids.length > 0 ? '0666, uids ' + allowUids.join(',') + ' and ours' : '0600'}), first faults from ${memFile ?? 'zeros'}, evicted pages to ${typeof values['store'] === 'string' ? values['store'] : 'memory'}\n`);
    const done = new Promise<void>((resolve) => handler.events$.subscribe({ next: (event) => io.out(eventLine(event)), complete: resolve }));
    await new Promise<void>((resolve) => {
      if (interrupt.signal.aborted) resolve();
      interrupt.signal.addEventListener('abort', () => resolve(), { once: true });
    });
    io.out(`stopping: bringing the pages of ${handler.peers.length} peer(s) in\n`);
    await handler.close('graceful');
    await done;
    io.out('stopped; socket removed\n');
    return 0;
  },
};

/** One line for each thing the handler did. */
function eventLine(event: UffdHandlerEvent): string {
  switch (event.type) {
    case 'peer.refused':
      return `peer ${event.pid} (uid ${event.uid}) refused${event.killed ? ' and killed (its memory would read as zeros)' : ''}: ${event.reason}\n`;
    case 'peer.serving': {
      const { peer } = event;
      return `peer ${peer.pid} (uid ${peer.uid}): serving ${peer.pages} pages (${(peer.bytes / MiB).toFixed(1)} MiB) in ${peer.mappings.length} mapping(s); ${event.evicting ? 'memfd sent: evicting to the target' : 'no memfd: faults served, nothing evicted'}\n`;
    }
    case 'peer.exited': {
      const { stats, peer } = event;
      return `peer ${peer.pid} gone: ${stats.faults} faults, ${stats.zeroFills} first touches filled, ${stats.evictions} evictions, ${stats.pagedIn} paged in, ${stats.drops} pages given back\n`;
    }
    case 'peer.failed':
      return `peer ${event.peer.pid} failed: ${(event.error as Error).message}\n`;
  }
}

/** A size flag as a function of a peer's page count, checked now. */
function sizeFlag(value: string | boolean | undefined, name: string): ((pages: number) => number) | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw new UsageError(`${name} needs a value`, COMMAND);
  try {
    parseSize(value, 1, name);
  } catch (error) {
    throw new UsageError((error as Error).message, COMMAND);
  }
  return (pages) => parseSize(value, pages, name);
}

/** `--max-memory` in bytes: a size (16G) or pages, never a share. */
function memoryLimit(value: string | boolean | undefined): number {
  if (value === undefined) return DEFAULT_PEER_LIMIT;
  if (typeof value !== 'string' || value.trim().endsWith('%')) throw new UsageError(`--max-memory ${JSON.stringify(value)}: expected a size such as 16G, or pages`, COMMAND);
  return sizeFlag(value, '--max-memory')!(Math.floor(Number.MAX_SAFE_INTEGER / 4096)) * 4096;
}

function uidList(value: string | boolean | undefined): number[] {
  if (value === undefined) return [];
  if (typeof value !== 'string' || !/^\d+(,\d+)*$/.test(value)) throw new UsageError(`--allow-uid ${JSON.stringify(value)}: expected uids, such as 1000 or 1000,1001`, COMMAND);
  return value.split(',').map(Number);
}

function storeFactory(values: Readonly<Record<string, string | boolean | undefined>>): (peer: PeerInfo) => PagevisorPlugin {
  const kind = typeof values['store'] === 'string' ? values['store'] : 'memory';
  if (!(STORES as readonly string[]).includes(kind)) throw new UsageError(`--store: no store "${kind}" for peers (${STORES.join(', ')}; each peer gets its own, named after it)`, COMMAND);
  const url = typeof values['url'] === 'string' ? values['url'] : undefined;
  if (url !== undefined && kind !== 'redis') throw new UsageError(`--url goes with --store redis, not ${kind}`, COMMAND);
  if (kind === 'redis' && url === undefined) throw new UsageError('--store redis needs --url redis://host:port', COMMAND);
  if (url !== undefined && !/^rediss?:\/\//.test(url)) throw new UsageError(`--url ${JSON.stringify(url)}: expected redis://host:port`, COMMAND);
  return () => (kind === 'pagefile' ? pagefileStore() : kind === 'redis' ? redisStore({ url: url! }) : memoryStore());
}
