// Property 'expectation' (statistical): the training output's mean over the inference output,
// keep·Σ y/inference, lies in the exact binomial interval of the kept count.
import { type Check, EXPECTATION_MAX } from '../context.ts';
import {
  type Assertion,
  callFailure,
  caseText,
  count,
  failedCall,
  formatNumber,
  statistical,
} from '../check-helpers.ts';
import { expectationAt } from '../plan.ts';
import { keptSum } from '../scan.ts';

export const expectation: Check = async (b) => {
  const parts: Assertion[] = [];
  let elements = 0;
  for (const [j, rate] of b.expectationRates.entries()) {
    const s = b.sample(rate);
    const plan = expectationAt(s.n, rate, b.alphaEach, b.o.scaleError);
    const infArgs = { ...s.args, training: false, seed: b.seed(900 + j) };
    const [train, inf] = [await s.answer, await b.forward(s.x, `stat:${s.n}`, infArgs)];
    if (!train.ok) {
      parts.push(callFailure('forward', s.x, s.args, train.reason, b.alphaEach));
      continue;
    }
    if (!inf.ok) {
      parts.push(callFailure('forward', s.x, infArgs, inf.reason, b.alphaEach));
      continue;
    }
    elements += s.n;
    const keep = 1 - rate;
    // T = keep·Σ y_i/inf_i (compensated sum); equals the kept count for a correct implementation.
    const { sum: T, broken } = keptSum(train.y, inf.y, keep);
    if (broken >= 0) {
      const c = failedCall(
        'forward',
        s.x,
        infArgs,
        `inference output ${formatNumber(inf.y[broken])} for x = ${formatNumber(s.x[broken])}`,
        { index: broken, expected: 'a finite nonzero inference output to compare the training mean with' },
      );
      parts.push({ ok: false, falseFailure: b.alphaEach, power: 1, text: caseText(c), failingCase: c });
      continue;
    }
    const tol = 1e-12 * s.n + 1e-9;
    const ok = T >= plan.lo - tol && T <= plan.hi + tol;
    const ratio = T / (s.n * keep);
    const c = failedCall(
      'forward',
      s.x,
      s.args,
      `training mean / inference output = ${ratio.toFixed(5)} (keep·Σ y/inference = ${T.toFixed(2)})`,
      { expected: `within [${(plan.lo / (s.n * keep)).toFixed(5)}, ${(plan.hi / (s.n * keep)).toFixed(5)}]` },
    );
    parts.push({
      ok,
      falseFailure: b.alphaEach,
      power: plan.power,
      text: `${c.call}: ${c.got}, expected ${c.expected} (exact binomial on the kept count, α ${b.alphaEach.toExponential(1)})`,
      failingCase: ok ? undefined : c,
    });
  }
  return statistical(
    'exact binomial on keep·Σ y/inference',
    `outputs scaled by 1 ± ${b.o.scaleError}`,
    elements,
    parts,
    `mean training output / inference output within its exact interval at rates ${b.expectationRates.join(', ')} (the drawn rates up to ${EXPECTATION_MAX}; ${count(elements)} elements)`,
  );
};
