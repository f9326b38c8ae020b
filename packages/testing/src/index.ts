/**
 * @pagevisor/testing: filled by its own issue; nothing is exported yet.
 *
 * @packageDocumentation
 */
export {};
