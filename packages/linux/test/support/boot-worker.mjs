// Boots a TypeScript Worker under tsx, as the tests run (workspace packages from their sources).
import { register } from 'tsx/esm/api';
import { workerData } from 'node:worker_threads';

register({ tsconfig: new URL('../../../../tsconfig.base.json', import.meta.url).pathname });
await import(workerData.script);
