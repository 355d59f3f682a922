// A worker thread: executes the runs it is sent, one at a time.
import { parentPort } from 'node:worker_threads';
import { executeRun } from './runner.ts';

parentPort!.on(
  'message',
  (msg: {
    spec: { experiment: string; setting: string; seed: number };
    profile: import('./experiment.ts').Profile;
    root: number;
    dtype: 'float32' | 'float64';
  }) => {
    try {
      parentPort!.postMessage({ record: executeRun(msg.spec, msg.profile, msg.root, msg.dtype) });
    } catch (e) {
      parentPort!.postMessage({ error: e instanceof Error ? `${e.message}\n${e.stack}` : String(e) });
    }
  },
);
