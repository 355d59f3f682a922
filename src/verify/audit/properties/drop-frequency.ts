// Property 'drop-frequency' (statistical): the count of dropped elements at each frequency rate lies
// in its exact binomial acceptance interval, at the anchor rates and the rates drawn from the audit seed.
import type { Check } from '../context.ts';
import { type Assertion, callFailure, count, failedCall, statistical } from '../check-helpers.ts';
import { frequencyAt } from '../plan.ts';
import { countZeros } from '../scan.ts';

export const dropFrequency: Check = async (b) => {
  const parts: Assertion[] = [];
  let elements = 0;
  for (const rate of b.frequencyRates) {
    const s = b.sample(rate);
    const plan = frequencyAt(s.n, rate, b.alphaEach, b.o.rateError);
    const r = await s.answer;
    if (!r.ok) {
      parts.push(callFailure('forward', s.x, s.args, r.reason, b.alphaEach));
      continue;
    }
    elements += s.n;
    const dropped = countZeros(r.y);
    const ok = plan.lo <= dropped && dropped <= plan.hi;
    const c = failedCall('forward', s.x, s.args, `${count(dropped)} dropped (${(dropped / s.n).toFixed(4)})`, {
      expected: `a count in [${count(plan.lo)}, ${count(plan.hi)}]`,
    });
    parts.push({
      ok,
      falseFailure: b.alphaEach,
      power: plan.power,
      text: `${c.call}: ${c.got}, expected ${c.expected} (exact binomial, α ${b.alphaEach.toExponential(1)})`,
      failingCase: ok ? undefined : c,
    });
  }
  return statistical(
    'exact binomial, two-sided',
    `drop rate ± ${b.o.rateError}`,
    elements,
    parts,
    `drop counts within their exact intervals at rates ${b.frequencyRates.slice(0, -b.drawn.length).join(', ')} and ${b.drawnText} (${count(elements)} elements)`,
  );
};
