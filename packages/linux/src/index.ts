export { openPagedRegion, attachRegion, PagedRegion, MAX_REGION_PAGES, type PagedRegionOptions } from './paged-region.js';
export { UserfaultfdBackend } from './userfaultfd-backend.js';
export { listenForPeers, UffdHandler, DEFAULT_PEER_LIMIT, type UffdHandlerOptions, type UffdHandlerEvent, type PeerInfo } from './peer/uffd-handler.js';
export { parseHandshake, MAX_MAPPINGS, type GuestRegionUffdMapping, type PeerHandshake } from './peer/guest-region-mapping.js';
export { type ReadAheadOptions } from './read-ahead.js';
export { type AccessSamplingOptions } from './access-sampler.js';
export { userfaultfdSupport, type UserfaultfdSupport } from './userfaultfd-support.js';
export { LinuxError, type LinuxErrorCode } from './linux-error.js';
export { stopOnSignals, type StopOnSignalsOptions } from './stop-on-signals.js';
