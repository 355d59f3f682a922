// The stochastic checks, each on the suite's seed (DROPCHECK_SEED overrides it).
import fc from 'fast-check';
import { describe, it } from 'vitest';
import { recorder } from './record.ts';
import { STOCHASTIC } from './stochastic.ts';

const { check } = recorder(import.meta.url);
const seed = fc.readConfigureGlobal().seed as number;

describe('stochastic checks (each with its false-failure probability α)', () => {
  for (const c of STOCHASTIC) {
    it(`${c.claims.join(', ')}: ${c.name}`, () => {
      const r = c.run(seed);
      check({ cases: c.cases, maxError: r.observed, ok: r.ok, alpha: c.alpha, bound: c.bound, details: { radius: r.radius } });
    });
  }
});
