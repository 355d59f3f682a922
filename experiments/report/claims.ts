// The claim IDs this project verifies (the full statements are in the project's CLAIMS.md).
export interface Claim {
  id: string;
  title: string;
  kind: 'exact' | 'op' | 'convergence' | 'experiment';
}

export const CLAIMS: readonly Claim[] = [
  { id: 'E-LIN', kind: 'exact', title: 'the mask-average of an affine map equals the weight-scaled map' },
  { id: 'E-INV', kind: 'exact', title: 'inverted dropout with keep·W is the paper’s convention with W, mask by mask' },
  {
    id: 'E-SLIP',
    kind: 'exact',
    title: 'scaling by the DROP probability breaks E-LIN for keep ≠ 1/2 (a counterexample must exist)',
  },
  { id: 'E-SIGMOID', kind: 'exact', title: 'the NWGM of a logistic unit equals σ of the keep-scaled input' },
  {
    id: 'E-SOFTMAX',
    kind: 'exact',
    title: 'the renormalized geometric mean of a softmax layer equals the weight-scaled softmax',
  },
  { id: 'E-MEANLOG', kind: 'exact', title: 'the weight-scaled log-probability is ≥ the mask-average log-probability' },
  { id: 'E-BOUNDS', kind: 'exact', title: 'G ≤ NWGM, G ≤ E, and the ordering of NWGM and E by O ≤ 1/2 or ≥ 1/2' },
  {
    id: 'E-RIDGE',
    kind: 'exact',
    title: 'input dropout in linear regression is ridge-like regularisation in expectation',
  },
  {
    id: 'E-GRAD',
    kind: 'exact',
    title: 'the mask-averaged dropout gradient is the gradient of the mask-averaged loss',
  },
  {
    id: 'E-GAUSS',
    kind: 'exact',
    title: 'Gaussian noise N(1, (1−keep)/keep) has the moments of inverted Bernoulli noise',
  },
  { id: 'D-FWD', kind: 'op', title: 'the op’s forward definition, both conventions, rate 0 and rate 1' },
  { id: 'D-BWD', kind: 'op', title: 'the backward pass uses the forward mask' },
  { id: 'G-FD', kind: 'op', title: 'reverse-mode gradients agree with central finite differences' },
  { id: 'G-ADJ', kind: 'op', title: 'forward and reverse mode are adjoint' },
  {
    id: 'M-CONV',
    kind: 'convergence',
    title: 'Monte-Carlo averages converge to the ensemble mean within Hoeffding/Bernstein bounds, RMS error ∝ k^−½',
  },
  {
    id: 'M-DEEP',
    kind: 'convergence',
    title: 'with nonlinear layers weight scaling is an approximation; the gap and its second-order estimate',
  },
  { id: 'M-K50', kind: 'experiment', title: 'on MNIST, Monte-Carlo averaging reaches weight scaling at about k = 50' },
  { id: 'X-OVERFIT', kind: 'experiment', title: 'dropout lowers test error on a network that overfits' },
  { id: 'X-UNDERFIT', kind: 'experiment', title: 'dropout does not help a model that underfits' },
  { id: 'X-KEEP', kind: 'experiment', title: 'test error against keep, with n fixed and with keep·n fixed' },
  { id: 'X-SIZE', kind: 'experiment', title: 'the gain from dropout against training-set size' },
  { id: 'X-SPARSE', kind: 'experiment', title: 'dropout makes hidden activations sparser' },
  { id: 'X-GAUSS', kind: 'experiment', title: 'Gaussian multiplicative noise does as well as Bernoulli dropout' },
  {
    id: 'X-MAXNORM',
    kind: 'experiment',
    title: 'dropout with max-norm beats dropout with L2, which beats either alone',
  },
];
