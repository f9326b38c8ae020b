/**
 * Victim policies for the Pagevisor pager, as plugins. This release has `xenpaging`, the default; the
 * classic and adaptive policies follow.
 *
 * @packageDocumentation
 */

// --- policies ---
export { XenpagingPolicy, xenpaging, XENPAGING_DEFAULT_MRU_SIZE, type XenpagingOptions } from './xenpaging-policy.js';
