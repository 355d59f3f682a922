// Mutation testing only (vitest.mutation.config.ts): a child process a test starts (node --jitless,
// a CLI run, an environment default) runs the mutated sandbox code but does not share this
// process's active mutant, so a mutant that only a child can show would survive. Stryker's
// instrumented code reads the mutant from __STRYKER_ACTIVE_MUTANT__ when none is set in the
// process, so each test hands its mutant on through the environment the children inherit.
import { beforeEach } from 'vitest';

const VAR = '__STRYKER_ACTIVE_MUTANT__';

beforeEach(() => {
  const active = (globalThis as { __stryker__?: { activeMutant?: unknown } }).__stryker__?.activeMutant;
  if (active === undefined || active === null) delete process.env[VAR];
  else process.env[VAR] = String(active);
});
