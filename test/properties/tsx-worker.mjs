// Entry of a worker thread that runs a TypeScript module: workers do not inherit tsx's loader, so
// register it here, then load the module named in workerData.
import { register } from 'tsx/esm/api';
import { workerData } from 'node:worker_threads';

register();
await import(workerData.module);
