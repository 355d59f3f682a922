// A quick self-verification of the engine's dropout op and gradients (claims D-FWD, D-BWD, G-FD,
// G-ADJ) that `npm start` runs and reports. The property suite checks the same claims far more
// widely; this is the summary a reader can regenerate in seconds. Uses only the public API.
import { type Convention, type Key, bernoulli, dropout, foldIn, key, normal, vjp } from '../engine/index.ts';
import { softmaxCrossEntropy } from '../nn/losses.ts';
import { type Activation, mlp } from '../nn/layers.ts';
import { checkGradTight } from './gradcheck-tight.ts';

export interface DropoutCase {
  rate: number;
  convention: Convention;
  elements: number;
  /** Elements whose training output differs from r ⊙ x (/keep), r = bernoulli(key, keep). */
  forwardMismatches: number;
  /** Elements whose gradient differs from upstream ⊙ r (/keep) with the same r. */
  backwardMismatches: number;
  /** Elements whose inference output differs from x (inverted) or keep·x (paper). */
  inferenceMismatches: number;
}

export interface GradCase {
  network: string;
  parameters: number;
  maxAbsError: number;
  /** Largest |analytic − numeric| over its entry's tolerance (≤ 1 passes): checkGradTight's per-entry bound. */
  maxRatio: number;
  /** The median tolerance relative to |numeric| over entries with a nonzero derivative: the smallest relative error in a rule the check resolves. */
  medianRelativeTolerance: number;
  /** ⟨v, J u⟩ against ⟨Jᵀv, u⟩, and their rounding bound. */
  adjointError: number;
  adjointTolerance: number;
  /** The loss at the checked point with the masks on, and with dropout at inference: they differ, so the masks were in the check. */
  loss: number;
  inferenceLoss: number;
  ok: boolean;
}

/** D-FWD and D-BWD, exactly, for each rate and convention, on `n` elements drawn from the key; `op` is the engine's dropout unless another with its signature is given. */
export function checkDropoutOp(
  seed: number,
  rates: readonly number[],
  n = 10_000,
  op: typeof dropout = dropout,
): DropoutCase[] {
  const base = key(seed);
  const x = normal(foldIn(base, 0), [n]);
  const g = normal(foldIn(base, 1), [n]);
  const cases: DropoutCase[] = [];
  rates.forEach((rate, i) => {
    for (const convention of ['inverted', 'scale-at-inference'] as const) {
      const k = foldIn(base, 100 + i);
      const keep = 1 - rate;
      const scale = convention === 'inverted' ? 1 / keep : 1;
      const r = bernoulli(k, keep, [n]).data;
      const { value, pullback } = vjp((x) => op(k, x, { rate, training: true, convention }), x);
      const [dx] = pullback(g);
      const inf = op(undefined, x, { rate, training: false, convention });
      let fwd = 0,
        bwd = 0,
        test = 0;
      for (let j = 0; j < n; j++) {
        if (value.data[j] !== (r[j] ? x.data[j] * scale : 0)) fwd++;
        if (dx.data[j] !== (r[j] ? g.data[j] * scale : 0)) bwd++;
        if (inf.data[j] !== (convention === 'inverted' ? x.data[j] : x.data[j] * keep)) test++;
      }
      cases.push({
        rate,
        convention,
        elements: n,
        forwardMismatches: fwd,
        backwardMismatches: bwd,
        inferenceMismatches: test,
      });
    }
  });
  return cases;
}

/** G-FD and G-ADJ on small dropout MLPs with their masks fixed by a key, to checkGradTight's bounds (not checkGrad's user defaults). */
export function checkNetworkGradients(seed: number): GradCase[] {
  const specs: {
    sizes: number[];
    activation: Activation;
    inputRate: number;
    hiddenRate: number;
    convention: Convention;
  }[] = [
    { sizes: [3, 4, 2], activation: 'relu', inputRate: 0.2, hiddenRate: 0.5, convention: 'inverted' },
    { sizes: [4, 5, 3, 3], activation: 'tanh', inputRate: 0.1, hiddenRate: 0.3, convention: 'inverted' },
    { sizes: [2, 6, 6, 2], activation: 'sigmoid', inputRate: 0, hiddenRate: 0.7, convention: 'scale-at-inference' },
    { sizes: [5, 3, 4], activation: 'linear', inputRate: 0.4, hiddenRate: 0.25, convention: 'scale-at-inference' },
  ];
  return specs.map((spec, i) => {
    const k: Key = foldIn(key(seed), i);
    const net = mlp(spec);
    const params = net.init(foldIn(k, 0));
    const x = normal(foldIn(k, 1), [3, spec.sizes[0]]);
    const labels = [0, 1, spec.sizes[spec.sizes.length - 1] - 1];
    const maskKey = foldIn(k, 2);
    const loss = (p: typeof params) => softmaxCrossEntropy(net.apply(p, x, { training: true, key: maskKey }), labels);
    const report = checkGradTight(loss, [params], { key: foldIn(k, 3) });
    // over the entries with a nonzero derivative (a dropped unit's parameters have none to be relative to)
    const relative = Float64Array.from(report.relativeTolerance.filter((_, i) => report.numeric[i] !== 0)).sort();
    return {
      network: `${spec.sizes.join('-')} ${spec.activation}, rates ${spec.inputRate}/${spec.hiddenRate}, ${spec.convention}`,
      parameters: params.reduce((s, p) => s + p.W.size + p.b.size, 0),
      maxAbsError: report.analytic.reduce((m, a, i) => Math.max(m, Math.abs(a - report.numeric[i])), 0),
      maxRatio: report.maxRatio,
      medianRelativeTolerance: relative[relative.length >> 1],
      adjointError: report.adjoint.error,
      adjointTolerance: report.adjoint.tolerance,
      loss: loss(params).data[0],
      inferenceLoss: softmaxCrossEntropy(net.apply(params, x, { training: false }), labels).data[0],
      ok: report.ok,
    };
  });
}
