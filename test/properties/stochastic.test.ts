// The stochastic checks, each on the suite's seed (DROPCHECK_SEED overrides it).
import fc from 'fast-check';
import { describe, it } from 'vitest';
import { recorder } from '../../src/testing/record.ts';
import { STOCHASTIC } from './stochastic.ts';

const { check } = recorder(import.meta.url, {
  'D-FWD': {
    reference:
      'Binomial(n, keep), the distribution the op’s definition implies for the kept count (the engine’s count of kept elements against an exact tail computed in src/verify/stats.ts).',
    tolerance: 'the exact two-sided binomial acceptance interval at the stated α.',
  },
  'M-CONV': {
    reference:
      'the exact ensemble (mean, variance, range, every atom) over all masks, enumerated; the Monte-Carlo means come from masks the engine samples from keys.',
    tolerance: 'Hoeffding/Bernstein radii and exact MSE tails (Chernoff with the exact MGF, Maurer) at the stated α.',
  },
  'E-GAUSS': {
    reference:
      'mean 1 and variance (1 − keep)/keep, against the sample moments of the multipliers gaussianDropout and dropout draw.',
    tolerance:
      'the exact normal tail (mean), Laurent–Massart χ² tails (variance), Hoeffding (the bounded Bernoulli multiplier), at the stated α.',
  },
});
const seed = fc.readConfigureGlobal().seed as number;

describe('stochastic checks (each with its false-failure probability α)', () => {
  for (const c of STOCHASTIC) {
    it(`${c.claims.join(', ')}: ${c.name}`, () => {
      const r = c.run(seed);
      check({
        cases: c.cases,
        maxError: r.observed,
        ok: r.ok,
        alpha: c.alpha,
        bound: c.bound,
        details: { radius: r.radius },
      });
    });
  }
});
