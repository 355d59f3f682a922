// Every stochastic check of the property suite, as a pure function of a seed, so the suite runs it
// on its fixed seed and the calibration command (properties/calibrate.ts) reruns it on many seeds.
// Each states its false-failure probability α and the bound it follows from.
import { dropout, foldIn, key, tensor } from '../src/index.ts';

export interface Outcome {
  ok: boolean;
  /** The largest deviation observed and the radius it was held to. */
  observed: number;
  radius: number;
}

export interface StochasticCheck {
  claims: string[];
  name: string;
  /** False-failure probability on a correct implementation, and the bound that gives it. */
  alpha: number;
  bound: string;
  /** Random draws per run. */
  cases: number;
  run(seed: number): Outcome;
}

const hoeffding = (n: number, alpha: number) => Math.sqrt(Math.log(2 / alpha) / (2 * n));

/** D-FWD: the fraction of kept elements is keep, for rates 0.2, 0.5, 0.8 (α split evenly). */
const keepFraction: StochasticCheck = (() => {
  const n = 100_000;
  const rates = [0.2, 0.5, 0.8];
  const alpha = 3e-9;
  const t = hoeffding(n, alpha / rates.length);
  return {
    claims: ['D-FWD'],
    name: `kept fraction = keep at rates ${rates.join(', ')} (n = ${n.toLocaleString('en')} each)`,
    alpha,
    bound: `Hoeffding, two-sided, α/${rates.length} per rate: radius ${t.toFixed(5)}`,
    cases: n * rates.length,
    run(seed) {
      const x = tensor(new Float64Array(n).fill(1));
      let observed = 0;
      rates.forEach((rate, i) => {
        const y = dropout(foldIn(key(seed), i), x, { rate, training: true, convention: 'scale-at-inference' });
        let kept = 0;
        for (let j = 0; j < n; j++) kept += y.data[j];
        observed = Math.max(observed, Math.abs(kept / n - (1 - rate)));
      });
      return { ok: observed <= t, observed, radius: t };
    },
  };
})();

export const STOCHASTIC: readonly StochasticCheck[] = [keepFraction];
