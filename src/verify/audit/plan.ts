// Sample sizes of the audit's statistical properties, chosen so that each test has its allotted
// false-failure probability α_i AND detects the stated effect with the stated power. Power is
// computed, not assumed: exactly from binomial tails for the count tests, and as a guaranteed lower
// bound from Hoeffding's inequality for the two-sample dependence tests.
import { binomialAcceptance, binomialCdf, binomialSf } from '../stats.ts';

export interface CountPlan {
  n: number;
  /** Accepted counts lo..hi for a correct implementation. */
  lo: number;
  hi: number;
  /** P(a correct implementation falls outside [lo, hi]) ≤ α_i. */
  falseFailure: number;
  /** The smallest probability of failing over the alternatives named in the property. */
  power: number;
}

/** P(reject) when the count X ~ Binomial(n, q) and the accepted range is [lo, hi] in units of c·X. */
function rejectProbability(n: number, q: number, lo: number, hi: number, c = 1): number {
  const below = Math.ceil(lo / c) - 1; // c·X < lo ⇔ X ≤ ceil(lo/c) − 1
  const above = Math.floor(hi / c) + 1; // c·X > hi ⇔ X ≥ floor(hi/c) + 1
  return binomialCdf(below, n, q) + binomialSf(above, n, q);
}

/**
 * The smallest n (to 1%) whose plan reaches `power`: from `start`, doubling up to a size that reaches
 * it (if `start` does not), then bisecting between the last size that fell short (or 0) and the
 * first that reaches it, to within 1%. Power is not exactly monotone in n (counts are integers), so
 * "smallest" is along this search; the plan returned always reaches `power`, as every size kept as
 * the upper end did.
 */
export function smallestPlan(make: (n: number) => CountPlan, power: number, start = 1024, max = 2 ** 26): CountPlan {
  let lo = 0,
    hi = start,
    plan = make(hi); // plan = make(hi) reaches power; lo = 0 or make(lo) does not
  while (plan.power < power) {
    if (hi >= max)
      throw new RangeError(
        `audit plan: no sample size up to ${max} reaches power ${power}; ask for a larger effect or a larger alpha`,
      );
    [lo, hi] = [hi, hi * 2];
    plan = make(hi);
  }
  while (hi - lo > Math.max(1, Math.ceil(lo / 100))) {
    const mid = Math.floor((lo + hi) / 2),
      p = make(mid);
    if (p.power >= power) [hi, plan] = [mid, p];
    else lo = mid;
  }
  return plan;
}

/** Drop count D ~ Binomial(n, rate): exact two-sided test at n; power against rate ± rateError. */
export function frequencyAt(n: number, rate: number, alpha: number, rateError: number): CountPlan {
  const a = binomialAcceptance(n, rate, alpha);
  const alts = [rate - rateError, rate + rateError].filter((q) => q >= 0 && q <= 1);
  return {
    n,
    lo: a.lo,
    hi: a.hi,
    falseFailure: a.pBelow + a.pAbove,
    power: Math.min(...alts.map((q) => rejectProbability(n, q, a.lo, a.hi))),
  };
}

// Plans depend only on their arguments and take a few tens of ms to find: found once per process.
const plans = new Map<string, CountPlan>();
function memo(id: string, find: () => CountPlan): CountPlan {
  let p = plans.get(id);
  if (!p) plans.set(id, (p = find()));
  return p;
}

/** The smallest frequency test reaching `power`. */
export function frequencyPlan(rate: number, alpha: number, rateError: number, power: number): CountPlan {
  return memo(`f:${rate}:${alpha}:${rateError}:${power}`, () =>
    smallestPlan((n) => frequencyAt(n, rate, alpha, rateError), power),
  );
}

/**
 * Training mean against the inference output: T = keep·Σ y_i/inf_i equals the kept count
 * K ~ Binomial(n, keep) for a correct implementation. Power against outputs scaled by 1 ± scaleError.
 */
export function expectationAt(n: number, rate: number, alpha: number, scaleError: number): CountPlan {
  const keep = 1 - rate;
  const a = binomialAcceptance(n, keep, alpha);
  const alts = [1 - scaleError, 1 + scaleError];
  return {
    n,
    lo: a.lo,
    hi: a.hi,
    falseFailure: a.pBelow + a.pAbove,
    power: Math.min(...alts.map((c) => rejectProbability(n, keep, a.lo, a.hi, c))),
  };
}

/** The smallest expectation test reaching `power`. */
export function expectationPlan(rate: number, alpha: number, scaleError: number, power: number): CountPlan {
  return memo(`e:${rate}:${alpha}:${scaleError}:${power}`, () =>
    smallestPlan((n) => expectationAt(n, rate, alpha, scaleError), power),
  );
}

/**
 * Two-sample Hoeffding test of p̂_A − p̂_B = 0 for independent 0/1 samples of sizes nA and nB:
 * P(|p̂_A − p̂_B − Δ| ≥ t) ≤ 2·exp(−2t²/(1/nA + 1/nB)). Returns the radius at α and the guaranteed
 * power 1 − exp(−2(|Δ| − t)²/(1/nA + 1/nB)) against a true difference Δ (0 when |Δ| ≤ t).
 */
export function twoSample(nA: number, nB: number, alpha: number, effect: number): { radius: number; power: number } {
  const s = 1 / nA + 1 / nB; // an empty group makes s, so the radius, infinite and the power 0
  const radius = Math.sqrt((Math.log(2 / alpha) * s) / 2);
  const margin = Math.max(0, Math.abs(effect) - radius);
  return { radius, power: 1 - Math.exp((-2 * margin * margin) / s) };
}

/**
 * Elements for the dependence tests at rate 1/2, whose tightest case splits the n/2 disjoint pairs
 * of a lag test into two groups of about n/4 (1/nA + 1/nB ≈ 8/n): the n at which the two-sample test
 * reaches `power` against `effect`, with 5% to spare for the groups' random sizes.
 */
export function dependenceSize(alpha: number, effect: number, power: number): number {
  const a = Math.sqrt(Math.log(2 / alpha));
  const b = Math.sqrt(Math.log(1 / (1 - power)));
  const n = ((2 * (a + b)) / effect) ** 2 * 1.05;
  return Math.ceil(n / 1024) * 1024;
}
