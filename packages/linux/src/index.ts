export { openPagedRegion, attachRegion, PagedRegion, MAX_REGION_PAGES, type PagedRegionOptions } from './paged-region.js';
export { UserfaultfdBackend } from './userfaultfd-backend.js';
export { type ReadAheadOptions } from './read-ahead.js';
export { userfaultfdSupport, type UserfaultfdSupport } from './userfaultfd-support.js';
export { LinuxError, type LinuxErrorCode } from './linux-error.js';
