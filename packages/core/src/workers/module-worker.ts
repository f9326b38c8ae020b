import { Worker, type WorkerOptions } from 'node:worker_threads';

/**
 * Starts a Worker on the module `name` beside the calling module, whether the caller runs built or
 * from its TypeScript sources. Built (`import.meta.url` ends in `.js`), the Worker runs `name.js`.
 * From the sources (the repository's tests, `pnpm exec`, `tsx`), it runs `name.ts` with tsx
 * registered in the Worker first and the workspace packages resolved to their sources: Node does not
 * hand a loader registered on one thread to the threads it starts.
 *
 * @param callerUrl - the caller's `import.meta.url`
 * @param name - the module's file name without its extension
 * @param options - the Worker's options (`workerData`, `resourceLimits`, …)
 * @param tsconfig - from the sources only: the tsconfig tsx uses in the Worker (default the
 *   `TSX_TSCONFIG_PATH` environment variable, as tsx itself reads it)
 *
 * @example
 * ```ts
 * const worker = moduleWorker(import.meta.url, 'simulate-worker', { workerData: job });
 * worker.once('message', (answer) => console.log(answer));
 * ```
 */
export function moduleWorker(callerUrl: string, name: string, options: WorkerOptions = {}, tsconfig = process.env['TSX_TSCONFIG_PATH']): Worker {
  const fromSources = callerUrl.endsWith('.ts');
  const url = new URL(`./${name}.${fromSources ? 'ts' : 'js'}`, callerUrl);
  if (!fromSources) return new Worker(url, options);
  const boot = `import('tsx/esm/api').then(({ register }) => { register({ tsconfig: ${JSON.stringify(tsconfig)} }); return import(${JSON.stringify(url.href)}); })`;
  const execArgv = [...(options.execArgv ?? process.execArgv), '--conditions=@pagevisor/source'];
  return new Worker(boot, { ...options, eval: true, execArgv });
}
