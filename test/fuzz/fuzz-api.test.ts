// Every public function and class, called with arguments drawn from a pool of bad ones (wrong types
// and shapes, empty and zero-size tensors, NaN and ±Infinity, negative, fractional and huge sizes,
// rates outside [0, 1], keys that are not keys, malformed options and callbacks) mixed with good
// ones. Each call must either return or throw an Error with a message of our own, in bounded time,
// without changing anything it was given. The export lists are enumerated from the modules, so a
// new export without an entry here fails the first test.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as api from '../../src/index.ts';
import * as rational from '../../src/verify/rational.ts';
import { Tensor, checkGrad, engineCandidate, scalar } from '../../src/index.ts';
import { POOL_SIZE, argsFor, outcome, poolValue, sameSnapshot, snapshot, unclear } from '../support/fuzz-pool.ts';

type How =
  | 'call' // a function: called with fuzzed arguments; a function or an object of methods it returns is fuzzed too
  | 'construct' // a class users construct: constructed with fuzzed arguments, then its methods are fuzzed
  | { value: string } // a constant or data: its type
  | { skip: string }; // why it is not fuzzed with arbitrary arguments

const INTERNAL_CTOR = {
  skip: 'the constructor is internal and trusts its arguments (documented @internal); instances come from the checked factories, which are fuzzed',
};

const API: Record<string, How> = {
  // engine: tensors, keys, transformations, dropout
  Tensor: INTERNAL_CTOR,
  Key: INTERNAL_CTOR,
  tensor: 'call',
  scalar: 'call',
  zeros: 'call',
  ones: 'call',
  full: 'call',
  zerosLike: 'call',
  onesLike: 'call',
  isTensor: 'call',
  isKey: 'call',
  float64Data: 'call',
  astype: 'call',
  broadcastShapes: 'call',
  describeValue: 'call',
  key: 'call',
  split: 'call',
  foldIn: 'call',
  uniform: 'call',
  normal: 'call',
  bernoulli: 'call',
  vjp: 'call',
  jvp: 'call',
  grad: 'call',
  valueAndGrad: 'call',
  flatten: 'call',
  dropout: 'call',
  dropoutWithMask: 'call',
  dropConnect: 'call',
  gaussianDropout: 'call',
  applyMultiplier: 'call',
  resolveNoiseShape: 'call',
  // ops
  abs: 'call',
  add: 'call',
  broadcastTo: 'call',
  concat: 'call',
  div: 'call',
  equal: 'call',
  exp: 'call',
  greater: 'call',
  less: 'call',
  log: 'call',
  logSoftmax: 'call',
  logSumExp: 'call',
  matmul: 'call',
  max: 'call',
  maximum: 'call',
  mean: 'call',
  minimum: 'call',
  mse: 'call',
  mul: 'call',
  neg: 'call',
  pow: 'call',
  relu: 'call',
  reshape: 'call',
  sigmoid: 'call',
  slice: 'call',
  softmax: 'call',
  softmaxCrossEntropy: 'call',
  sqrt: 'call',
  square: 'call',
  stopGradient: 'call',
  sub: 'call',
  sum: 'call',
  sumTo: 'call',
  take: 'call',
  tanh: 'call',
  transpose: 'call',
  // networks
  initLinear: 'call',
  linear: 'call',
  mlp: 'call',
  maxNormProject: 'call',
  sgd: 'call',
  fit: 'call',
  permutation: 'call',
  argmaxRows: 'call',
  errorRate: 'call',
  mapRows: 'call',
  monteCarloAverages: 'call',
  // kernels (which kernel runs never changes a result's bits)
  configureKernels: 'call',
  kernelInfo: 'call',
  // verification
  GradCheckError: {
    skip: 'thrown by assertGrad with the report of checkGrad (see the test below), not built by users',
  },
  assertGrad: 'call',
  checkGrad: 'call',
  assertGradTight: 'call',
  checkGradTight: 'call',
  numericJacobian: 'call',
  TightGradError: { skip: 'thrown by assertGradTight with the report of checkGradTight, not built by users' },
  AlphaBudget: 'construct',
  bernsteinRadius: 'call',
  bernsteinSampleSize: 'call',
  binomialAcceptance: 'call',
  binomialCdf: 'call',
  binomialLogCdf: 'call',
  binomialLogSf: 'call',
  binomialSf: 'call',
  binomialTest: 'call',
  bonferroni: 'call',
  dkwRadius: 'call',
  dkwSampleSize: 'call',
  empiricalBernsteinRadius: 'call',
  empiricalBernsteinSampleSize: 'call',
  hoeffdingRadius: 'call',
  hoeffdingSampleSize: 'call',
  ksStatistic: 'call',
  geometricGrid: 'call',
  monteCarloMean: 'call',
  runningMeans: 'call',
  t975: 'call',
  tInterval: 'call',
  sampleMean: 'call',
  sampleSd: 'call',
  normalCdf: 'call',
  powerPositive: 'call',
  CompensatedSum: 'construct',
  CompensatedVector: 'construct',
  MAX_UNITS: { value: 'number' },
  RECOMPUTE_BITS: { value: 'number' },
  ensembleMean: 'call',
  ensembleMeanVector: 'call',
  ensembleStats: 'call',
  forEachLinearMask: 'call',
  forEachLinearMaskDirect: 'call',
  forEachMask: 'call',
  renormalizedGeometricMean: 'call',
  sigmoidOf: 'call',
  softmaxOf: 'call',
  // audit (malformed candidates in detail: test/fuzz-audit.test.ts)
  CandidateError: { skip: 'thrown by checkCandidate, not built by users' },
  PROPERTIES: { value: 'object' },
  WHEN_READY: { value: 'symbol' },
  assertDropout: 'call',
  auditDropout: 'call',
  checkCandidate: 'call',
  engineCandidate: 'call',
  formatJson: 'call',
  formatMarkdown: 'call',
  loadExec: { skip: 'runs its argument as a shell command; its argument checks: test/audit/audit-exec.test.ts' },
  resolveOptions: 'call',
};

const RATIONAL: Record<string, How> = {
  MAX_ENSEMBLE_INPUTS: { value: 'number' },
  MAX_RIDGE_MASK_BITS: { value: 'number' },
  SingularSystemError: { skip: 'thrown by solve, not built by users' },
  bernoulliInvertedMoments: 'call',
  dot: 'call',
  exactLinearEnsemble: 'call',
  expectedDropoutLoss: 'call',
  gaussianMoments: 'call',
  gram: 'call',
  hadamard: 'call',
  invertedInference: 'call',
  invertedOutput: 'call',
  maskProbability: 'call',
  matMul: 'call',
  matScale: 'call',
  matVec: 'call',
  paperInference: 'call',
  paperOutput: 'call',
  ridgeClosedForm: 'call',
  ridgeClosedFormGradient: 'call',
  ridgeMinimizer: 'call',
  ridgeSystem: 'call',
  solve: 'call',
  toFraction: 'call',
  toKeep: 'call',
  toMask: 'call',
  toMatrix: 'call',
  toVector: 'call',
  transpose: 'call',
  vecAdd: 'call',
  vecEquals: 'call',
  vecScale: 'call',
  vecSub: 'call',
  weightScaled: 'call',
};

/** Arguments a function documents that it writes into (an output buffer). */
const WRITES: Record<string, number[]> = { softmaxOf: [1] };

/** Runs one fuzzed call and checks it; returns what it returned (for fuzzing what it gives back). */
async function check(label: string, args: unknown[], invoke: (args: unknown[]) => unknown): Promise<unknown> {
  const writes = WRITES[label] ?? [];
  const mine = (a: unknown, i: number) => (writes.includes(i) ? '<output>' : snapshot(a));
  const before = args.map(mine);
  const r = await outcome(() => invoke(args));
  const after = args.map(mine);
  const shown = () => `${label}(${args.map((a) => api.describeValue(a)).join(', ')})`;
  if (!sameSnapshot(before, after)) throw new Error(`${shown()} changed its arguments`);
  if (r.ms > 5_000) throw new Error(`${shown()} took ${Math.round(r.ms)} ms`);
  if (r.threw) {
    const why = unclear(r.error);
    if (why) throw new Error(`${shown()}: ${why}`);
    return undefined;
  }
  return r.value;
}

const isMethodBag = (v: unknown): v is Record<string, unknown> =>
  v !== null &&
  typeof v === 'object' &&
  !(v instanceof Tensor) &&
  !Array.isArray(v) &&
  !ArrayBuffer.isView(v) &&
  Object.values(v).some((m) => typeof m === 'function');

/** Fuzzes what a call gave back: a returned function (grad(f)), or the methods of a returned object (mlp(spec), sgd(options)). */
async function fuzzResult(label: string, value: unknown, extra: unknown[]): Promise<void> {
  if (typeof value === 'function') {
    await check(`${label}(…)`, extra, (a) => (value as (...x: unknown[]) => unknown)(...a));
  } else if (isMethodBag(value)) {
    const proto = Object.getPrototypeOf(value);
    const names = [
      ...Object.keys(value),
      ...(proto && proto !== Object.prototype ? Object.getOwnPropertyNames(proto) : []),
    ];
    for (const m of names) {
      const method = (value as Record<string, unknown>)[m];
      if (m === 'constructor' || typeof method !== 'function') continue;
      // a candidate's own forward/vjp are not checked code: the audit fuzzes them as a caller would
      if (m === 'forward' || m === 'vjp') continue;
      await check(`${label}.${m}`, extra, (a) => (method as (...x: unknown[]) => unknown).apply(value, a));
    }
  }
}

function fuzzModule(name: string, mod: Record<string, unknown>, table: Record<string, How>, numRuns: number) {
  describe(`fuzz: ${name}`, () => {
    it('every export has an entry (a new export needs its fuzz case)', () => {
      expect(Object.keys(mod).sort()).toEqual(Object.keys(table).sort());
    });

    for (const [exp, how] of Object.entries(table)) {
      const v = mod[exp];
      if (typeof how === 'object' && 'skip' in how) continue;
      if (typeof how === 'object' && 'value' in how) {
        it(`${exp} is a ${how.value}`, () => expect(typeof v).toBe(how.value));
        continue;
      }
      it(`${exp}: bad arguments give a clear error or a result, never a raw failure, a hang or a mutation`, async () => {
        const fn = v as (...a: unknown[]) => unknown;
        await fc.assert(
          fc.asyncProperty(argsFor(fn.length), argsFor(3), async (args, extra) => {
            const value = await check(exp, args, (a) =>
              how === 'construct' ? new (fn as unknown as new (...x: unknown[]) => unknown)(...a) : fn(...a),
            );
            await fuzzResult(exp, value, extra);
          }),
          { numRuns },
        );
        // and every value of the pool, not only those drawn: alone, and after the first argument of
        // each drawn case, so that a refusal no draw happens to reach is still seen
        const firsts = fc.sample(argsFor(fn.length), { numRuns: 3, seed: 1 }).map((a) => a[0]);
        for (let i = 0; i < POOL_SIZE; i++) {
          await check(exp, [poolValue(i)], (a) =>
            how === 'construct' ? new (fn as unknown as new (...x: unknown[]) => unknown)(...a) : fn(...a),
          );
          if (fn.length >= 2)
            for (const first of firsts)
              await check(exp, [first, poolValue(i)], (a) =>
                how === 'construct' ? new (fn as unknown as new (...x: unknown[]) => unknown)(...a) : fn(...a),
              );
        }
      });
    }
  });
}

fuzzModule('dropcheck (src/index.ts)', api as unknown as Record<string, unknown>, API, 60);
fuzzModule('dropcheck/rational', rational as unknown as Record<string, unknown>, RATIONAL, 40);

describe('fuzz: the classes skipped above', () => {
  it('GradCheckError carries the report it was built from', () => {
    const report = checkGrad((x: Tensor) => api.sum(api.square(x)), [api.tensor([1, 2])]);
    const e = new api.GradCheckError(report);
    expect(e.message).toBe(report.message);
    expect(e.report).toBe(report);
  });
  it('the Tensor and Key constructors are internal: the factories are the checked way in', () => {
    expect(() => api.tensor([1, 2], [3])).toThrow(/shape \[3\] needs 3 values, got 2/);
    expect(() => api.key(-1)).toThrow(/key: expected the seed to be a non-negative safe integer, got -1/);
    expect(scalar(2).item()).toBe(2);
    expect(typeof engineCandidate().forward).toBe('function');
  });
});
