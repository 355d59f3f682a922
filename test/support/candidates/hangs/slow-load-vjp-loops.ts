// vjp-loops.ts behind a module that takes 1.5 s to load: after each stop at the timeout the worker
// loads it again, and that time must not count against the next call (the audit waits for the
// module before it starts a call's timer).
import type { DropoutCandidate } from '../../../../src/verify/audit/index.ts';
import vjpLoops from './vjp-loops.ts';

const until = Date.now() + 1500;
while (Date.now() < until); // a slow load: the module's top level busy for 1.5 s

export default { ...vjpLoops, name: 'slow to load, vjp loops forever in training' } satisfies DropoutCandidate;
