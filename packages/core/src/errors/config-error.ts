import { PagevisorError, type PagevisorErrorOptions } from './pagevisor-error.js';

/**
 * Bad configuration: a size, target, option or plugin value that cannot be used. The message names the
 * setting and the value.
 *
 * @example
 * ```ts
 * import { parseSize, isPagevisorError } from '@pagevisor/core';
 *
 * try {
 *   parseSize('12 pages', 1024, 'target');
 * } catch (e) {
 *   if (isPagevisorError(e, 'CONFIG')) console.error(e.message); // target "12 pages" is not a size: ...
 * }
 * ```
 */
export class ConfigError extends PagevisorError {
  declare readonly code: 'CONFIG';
  /** The setting at fault (`target`, `batchSize`, ...). */
  readonly setting: string;

  /**
   * @param setting - the setting at fault
   * @param message - what is wrong, naming the value
   * @param options - the wrapped cause, if any
   */
  constructor(setting: string, message: string, options?: PagevisorErrorOptions) {
    super('CONFIG', message, options);
    this.setting = setting;
  }
}
