// A child process: a uffd handler on the socket and snapshot given as arguments, which calls
// process.exit(5) (or, with `kill`, sends itself SIGKILL) 500 ms after it starts serving its first
// peer (the peer is mid-run by then).
import { policyNamed } from '@pagevisor/policies';
import { memoryStore } from '@pagevisor/storage';
import { listenForPeers } from '../../src/index.js';

const [socket, memFile, how] = process.argv.slice(2);
const handler = listenForPeers({ socket: socket!, memFile: memFile!, policy: () => policyNamed('clock'), store: () => memoryStore() });
handler.events$.subscribe((event) => {
  if (event.type === 'peer.serving') setTimeout(() => (how === 'kill' ? process.kill(process.pid, 'SIGKILL') : process.exit(5)), 500);
});
console.log('listening');
