// Claims E-LIN and E-INV through the engine: the engine's own dropout (dropoutWithMask, dropout with a
// key, mlp with given masks), both conventions, mask by mask, against the exact value of the same
// inputs in Fractions, within a rounding bound derived for each path (γ_k = k·u/(1 − k·u), u = 2^−53).
// The Fraction-only checks of the identities are in exact.test.ts.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  type Convention,
  type MLPParams,
  add,
  applyMultiplier,
  dropout,
  dropoutWithMask,
  key,
  matmul,
  mlp,
  mul,
  tensor,
} from '../../src/index.ts';
import { aleaMask } from './alea.ts';
import { observe, recorder, runs, unobserved } from '../../src/testing/record.ts';
import { type Fraction, invertedInference, paperInference, toFraction } from '../../src/verify/rational.ts';
import { EXACT_BASES, approx, show } from './exact-shared.ts';

const { holds } = recorder(import.meta.url, { 'E-LIN': EXACT_BASES['E-LIN'], 'E-INV': EXACT_BASES['E-INV'] });

/** The rounding-bound basis of the engine-against-Fractions checks. */
const ENGINE_BASIS = {
  reference:
    'the exact value, in Fractions, of the same layer(s) on the same float inputs with the same mask (W(r⊙y)+b, keep the exact value of the engine’s 1 − rate), computed without the engine; the engine’s dropout/dropoutWithMask/mlp must match it for both conventions, mask by mask.',
  tolerance:
    'rounding bound of each path: γ_{n+5}·(Σ|r y W| + |b|) per layer (n products and sums, the multiplier 1/keep, keep·W), the first layer’s bound carried through the second by |W|, plus (2n + 4)·2^−1074 for underflow; compared exactly in Fractions.',
};

/** γ_k = k·u/(1 − k·u), u = 2^−53: the relative rounding of k operations. */
const gammaK = (k: number) => (k * 2 ** -53) / (1 - k * 2 ** -53);
const ETA = Number.MIN_VALUE;
/** |a − b| ≤ bound, decided exactly in Fractions (a, b exact; bound a float, converted exactly). */
const withinExactly = (a: Fraction, b: Fraction, bound: number) => a.sub(b).abs().compare(toFraction(bound)) <= 0;

// ---------------------------------------------------------------------------------------------
// Through the engine's dropout, mask by mask, against the exact value of the same inputs

/**
 * Real weights and inputs: 0 (one in ten) or ±[1e-3, 10]. (Magnitudes near 2^−1074 would give
 * Fractions with thousand-bit denominators and make the exact side slow, testing nothing more.)
 */
const realArb = fc.oneof(
  { arbitrary: fc.constant(0), weight: 1 },
  {
    arbitrary: fc.tuple(fc.boolean(), fc.double({ min: 1e-3, max: 10, noNaN: true })).map(([neg, v]) => (neg ? -v : v)),
    weight: 9,
  },
);
const realVec = (n: number) => fc.array(realArb, { minLength: n, maxLength: n });
/** Drop rates: 1/2, values away from it, 0 (the identity), and arbitrary ones (keep = 1 − rate rounds then). */
const dropRateArb = fc.oneof(
  fc.constantFrom(0.5, 2 / 3, 0.4, 0.2, 0.9),
  fc.double({ min: 0.01, max: 0.99, noNaN: true }),
);
const CONVENTIONS: Convention[] = ['scale-at-inference', 'inverted'];

const bitsOf = (bits: number, n: number, offset = 0) => Array.from({ length: n }, (_, i) => (bits >> (offset + i)) & 1);

/** z_o = b_o + Σ_i mult_i·y_i·W_io exactly (W row-major [n, out], the engine's x·W), with mult_i exact. */
function exactLayer(
  W: readonly number[],
  b: readonly number[],
  y: readonly (number | Fraction)[],
  mult: readonly Fraction[],
): Fraction[] {
  const out = b.length;
  return b.map((bo, o) =>
    y.reduce(
      (s: Fraction, yi, i) => s.add(mult[i].mul(toFraction(yi)).mul(toFraction(W[i * out + o]))),
      toFraction(bo),
    ),
  );
}
/** γ_{n+5}·(Σ_i |mult_i·y_i·W_io| + |b_o|) + (2n + 4)·η per output: the rounding of one layer through the engine (see ENGINE_BASIS). */
function layerBound(W: readonly number[], b: readonly number[], yAbs: readonly number[]): number[] {
  const n = yAbs.length,
    out = b.length;
  return b.map(
    (bo, o) =>
      gammaK(n + 5) * yAbs.reduce((s, yi, i) => s + yi * Math.abs(W[i * out + o]), Math.abs(bo)) + (2 * n + 4) * ETA,
  );
}
const row = (v: readonly number[]) => tensor([...v], [1, v.length]);

interface LayerCase {
  W: number[];
  b: number[];
  y: number[];
  out: number;
  rate: number;
  seed: number;
}
const layerCaseArb: fc.Arbitrary<LayerCase> = fc
  .record({ n: fc.integer({ min: 1, max: 5 }), out: fc.integer({ min: 1, max: 3 }) })
  .chain(({ n, out }) =>
    fc.record({
      W: realVec(n * out),
      b: realVec(out),
      y: realVec(n),
      out: fc.constant(out),
      rate: fc.oneof(dropRateArb, fc.constant(0)),
      seed: fc.nat({ max: 2 ** 31 - 1 }),
    }),
  );

/** Asserts engine ≈ exact within the bound, exactly; records the ratio. */
function expectWithin(
  engine: ArrayLike<number>,
  exact: readonly Fraction[],
  bound: readonly number[],
  what: string,
): void {
  for (let o = 0; o < exact.length; o++) {
    const diff = toFraction(engine[o]).sub(exact[o]);
    observe(approx(diff.abs()) / bound[o]);
    if (!withinExactly(toFraction(engine[o]), exact[o], bound[o]))
      expect.fail(
        `${what}, output ${o}: engine ${engine[o]}, exact ${exact[o].toFraction()} (≈ ${approx(exact[o])}), |diff| ≈ ${approx(diff.abs())} > bound ${bound[o]}`,
      );
  }
}

/**
 * One affine layer through the engine's ops, both conventions, every mask: E-INV (the inverted layer
 * with keep·W gives the paper's output with W, both equal to the exact W(r⊙y)+b), E-LIN (the
 * probability-weighted sum of the engine's outputs, in Fractions, is the exact weight-scaled output
 * within Σ P·bound), inference (dropout's inference mode, both conventions), and the key's own mask.
 */
function checkLayerThroughEngine(
  c: LayerCase,
  ops: { dropoutWithMask: typeof dropoutWithMask; dropout: typeof dropout } = { dropoutWithMask, dropout },
): void {
  const { W, b, y, out, rate, seed } = c;
  const n = y.length;
  const keep = 1 - rate; // the engine's keep
  const keepF = toFraction(keep);
  const Wt = tensor(W, [n, out]),
    bt = tensor(b),
    keptW = mul(Wt, keep);
  const one = toFraction(1),
    zero = toFraction(0);
  const engineOut = (convention: Convention, r: number[]) =>
    add(matmul(ops.dropoutWithMask(row(y), row(r), { rate, convention }), convention === 'inverted' ? keptW : Wt), bt)
      .data;
  const average = new Map<Convention, Fraction[]>(CONVENTIONS.map((cv) => [cv, b.map(() => zero)]));
  const averageBound = b.map(() => 0);
  for (let bits = 0; bits < 2 ** n; bits++) {
    const r = bitsOf(bits, n);
    const prob = r.reduce((p: Fraction, ri) => p.mul(ri ? keepF : one.sub(keepF)), one);
    const exact = exactLayer(
      W,
      b,
      y,
      r.map((ri) => (ri ? one : zero)),
    );
    const bound = layerBound(
      W,
      b,
      y.map((yi, i) => r[i] * Math.abs(yi)),
    );
    for (const convention of CONVENTIONS) {
      const z = engineOut(convention, r);
      expectWithin(z, exact, bound, `E-INV, ${convention}, mask [${r}]`);
      average.set(
        convention,
        average.get(convention)!.map((a, o) => a.add(prob.mul(toFraction(z[o])))),
      );
    }
    bound.forEach((e, o) => (averageBound[o] += approx(prob) * e * (1 + 1e-12)));
  }
  // E-LIN: Σ_r P(r)·z(r) (the engine's outputs, summed exactly) = W(keep·y) + b exactly, within Σ P·bound
  const weightScaled = exactLayer(
    W,
    b,
    y,
    y.map(() => keepF),
  );
  for (const convention of CONVENTIONS) {
    const avg = average.get(convention)!;
    for (let o = 0; o < out; o++) {
      observe(approx(avg[o].sub(weightScaled[o]).abs()) / averageBound[o]);
      if (!withinExactly(avg[o], weightScaled[o], averageBound[o]))
        expect.fail(
          `E-LIN, ${convention}, output ${o}: Σ P·z = ${approx(avg[o])} vs W(keep·y)+b = ${approx(weightScaled[o])}`,
        );
    }
  }
  // inference: the paper's layer scales its input by keep; the inverted one (weights keep·W) passes y unchanged
  const infBound = layerBound(
    W,
    b,
    y.map((yi) => keep * Math.abs(yi) * (1 + 2 ** -52)),
  );
  expectWithin(
    add(matmul(ops.dropout(undefined, row(y), { rate, training: false, convention: 'scale-at-inference' }), Wt), bt)
      .data,
    weightScaled,
    infBound,
    'E-INV at inference, paper',
  );
  expectWithin(
    add(matmul(ops.dropout(undefined, row(y), { rate, training: false }), keptW), bt).data,
    weightScaled,
    infBound,
    'E-INV at inference, inverted',
  );
  // the key's mask (from Alea, independently): dropout with the key is dropoutWithMask with that mask, in both conventions
  const r = aleaMask(seed, keep, n);
  for (const convention of CONVENTIONS) {
    const viaKey = add(
      matmul(
        ops.dropout(key(seed), row(y), { rate, training: true, convention }),
        convention === 'inverted' ? keptW : Wt,
      ),
      bt,
    ).data;
    expectWithin(
      viaKey,
      exactLayer(
        W,
        b,
        y,
        r.map((ri) => (ri ? one : zero)),
      ),
      layerBound(
        W,
        b,
        y.map((yi, i) => r[i] * Math.abs(yi)),
      ),
      `E-INV with key(${seed}), ${convention}`,
    );
  }
}

/** Input i contributes a term y_i·W_io that dwarfs the rounding bound at some output. */
const significant = (c: LayerCase, i: number) =>
  c.b.some(
    (_, o) =>
      Math.abs(c.y[i] * c.W[i * c.out + o]) >
      1e-6 * (1 + c.b.reduce((s, v) => s + Math.abs(v), 0) + c.W.reduce((s, w) => s + 10 * Math.abs(w), 0)),
  );

describe("E-LIN and E-INV through the engine's dropout (dropoutWithMask, dropout with a key, mlp), both conventions, mask by mask, against exact Fractions", () => {
  it("E-INV, E-LIN: one affine layer: for every mask the inverted layer with keep·W and the paper's with W give W(r⊙y)+b; Σ_r P(r)·z(r) = W(keep·y)+b; inference both ways; the key's own mask", () => {
    holds(
      fc.property(layerCaseArb, (c) => checkLayerThroughEngine(c)),
      { numRuns: runs(60) },
      { basis: ENGINE_BASIS },
    );
  });

  it('E-INV, E-LIN: a two-layer linear mlp (mlp.apply with given masks), dropout on the input and the hidden units, both conventions, every mask pair, and mlp.apply at inference', () => {
    const netArb = fc
      .record({
        n: fc.integer({ min: 1, max: 3 }),
        h: fc.integer({ min: 1, max: 3 }),
        out: fc.integer({ min: 1, max: 2 }),
      })
      .chain(({ n, h, out }) =>
        fc.record({
          sizes: fc.constant([n, h, out]),
          W1: realVec(n * h),
          b1: realVec(h),
          W2: realVec(h * out),
          b2: realVec(out),
          y: realVec(n),
          inputRate: dropRateArb,
          hiddenRate: dropRateArb,
        }),
      );
    holds(
      fc.property(netArb, ({ sizes, W1, b1, W2, b2, y, inputRate, hiddenRate }) => {
        const [n, h, out] = sizes;
        const [k1, k2] = [1 - inputRate, 1 - hiddenRate];
        const [k1F, k2F] = [toFraction(k1), toFraction(k2)];
        const one = toFraction(1),
          zero = toFraction(0);
        const spec = { sizes, activation: 'linear' as const, inputRate, hiddenRate };
        const paper = mlp({ ...spec, convention: 'scale-at-inference' });
        const inverted = mlp({ ...spec, convention: 'inverted' });
        const params: MLPParams = [
          { W: tensor(W1, [n, h]), b: tensor(b1) },
          { W: tensor(W2, [h, out]), b: tensor(b2) },
        ];
        const keptParams: MLPParams = [
          { W: mul(params[0].W, k1), b: params[0].b },
          { W: mul(params[1].W, k2), b: params[1].b },
        ];
        /** The exact output for multipliers m1 (inputs) and m2 (hidden units), and its rounding bound. */
        const exact = (m1: Fraction[], m2: Fraction[], abs1: number[], abs2: (hAbs: number[]) => number[]) => {
          const hidden = exactLayer(W1, b1, y, m1);
          const e1 = layerBound(W1, b1, abs1);
          const hAbs = hidden.map((v, j) => Math.abs(approx(v)) * (1 + 1e-12) + e1[j]);
          const z = exactLayer(W2, b2, hidden, m2);
          const carried = b2.map(
            (_, o) =>
              hAbs.reduce((s, _h, j) => s + approx(m2[j].abs()) * Math.abs(W2[j * out + o]) * e1[j], 0) *
              (1 + gammaK(h + 9)),
          );
          const e2 = layerBound(W2, b2, abs2(hAbs)).map((e, o) => e + carried[o]);
          return { z, bound: e2 };
        };
        const average = new Map<Convention, Fraction[]>(CONVENTIONS.map((cv) => [cv, b2.map(() => zero)]));
        const averageBound = b2.map(() => 0);
        for (let bits = 0; bits < 2 ** (n + h); bits++) {
          const [r1, r2] = [bitsOf(bits, n), bitsOf(bits, h, n)];
          const prob = [...r1.map((r) => (r ? k1F : one.sub(k1F))), ...r2.map((r) => (r ? k2F : one.sub(k2F)))].reduce(
            (p: Fraction, q) => p.mul(q),
            one,
          );
          const { z, bound } = exact(
            r1.map((r) => (r ? one : zero)),
            r2.map((r) => (r ? one : zero)),
            y.map((v, i) => r1[i] * Math.abs(v)),
            (hAbs) => hAbs.map((v, j) => r2[j] * v),
          );
          const masks = [row(r1), row(r2)];
          for (const [convention, net, ps] of [
            ['scale-at-inference', paper, params],
            ['inverted', inverted, keptParams],
          ] as const) {
            const o = net.apply(ps, row(y), { training: true, masks }).data;
            expectWithin(o, z, bound, `E-INV, mlp, ${convention}, masks [${r1}] [${r2}]`);
            average.set(
              convention,
              average.get(convention)!.map((a, i) => a.add(prob.mul(toFraction(o[i])))),
            );
          }
          bound.forEach((e, o) => (averageBound[o] += approx(prob) * e * (1 + 1e-12)));
        }
        const ws = exact(
          y.map(() => k1F),
          Array.from({ length: h }, () => k2F),
          y.map((v) => k1 * Math.abs(v) * (1 + 2 ** -52)),
          (hAbs) => hAbs.map((v) => k2 * v * (1 + 2 ** -52)),
        );
        for (const convention of CONVENTIONS) {
          const avg = average.get(convention)!;
          for (let o = 0; o < out; o++) {
            observe(approx(avg[o].sub(ws.z[o]).abs()) / averageBound[o]);
            if (!withinExactly(avg[o], ws.z[o], averageBound[o]))
              expect.fail(
                `E-LIN, mlp, ${convention}, output ${o}: Σ P·z = ${approx(avg[o])} vs weight-scaled ${approx(ws.z[o])}`,
              );
          }
        }
        expectWithin(
          paper.apply(params, row(y), { training: false }).data,
          ws.z,
          ws.bound,
          'E-INV, mlp at inference, paper',
        );
        expectWithin(
          inverted.apply(keptParams, row(y), { training: false }).data,
          ws.z,
          ws.bound,
          'E-INV, mlp at inference, inverted',
        );
      }),
      { numRuns: runs(25) },
      { basis: ENGINE_BASIS },
    );
  });

  it('E-INV, E-LIN: wrong dropout ops that the Fraction-only checks cannot see (they never call the op) fail here', () => {
    // each wrong op is one plausible bug; the exact identities above hold whatever the engine does
    const wrong: Record<string, { dropoutWithMask: typeof dropoutWithMask; dropout: typeof dropout }> = {
      'inverted training scales by 1/rate': {
        dropoutWithMask: (x, m, o) =>
          o.convention === 'scale-at-inference'
            ? dropoutWithMask(x, m, o)
            : applyMultiplier(dropoutWithMask(x, m, { ...o, convention: 'scale-at-inference' }), tensor(1 / o.rate)),
        dropout,
      },
      'paper inference scales by the drop rate': {
        dropoutWithMask,
        dropout: (k, x, o) =>
          !o.training && o.convention === 'scale-at-inference' ? mul(x, o.rate) : dropout(k, x, o),
      },
      'inverted inference also scales by keep': {
        dropoutWithMask,
        dropout: (k, x, o) =>
          !o.training && o.convention !== 'scale-at-inference' ? mul(x, 1 - o.rate) : dropout(k, x, o),
      },
      'the key draws the mask of the next seed': {
        dropoutWithMask,
        dropout: (k, x, o) => dropout(o.training && k ? key((k as unknown as { lo: number }).lo + 1) : k, x, o),
      },
    };
    holds(
      fc.property(
        layerCaseArb.filter((c) => c.rate !== 0 && c.rate !== 0.5 && c.y.some((_, i) => significant(c, i))),
        fc.constantFrom(...Object.keys(wrong)),
        (c, bug) => {
          // the exact identity (Fractions only) holds regardless of the engine
          expect(show(invertedInference([[1]], [0], [1], '1/2'))).toEqual(show(paperInference([[1]], [0], [1], '1/2')));
          // the key's bug shows only where the masks of seed and seed + 1 differ on a term that counts
          const keep = 1 - c.rate,
            n = c.y.length;
          const [r0, r1] = [aleaMask(c.seed, keep, n), aleaMask(c.seed + 1, keep, n)];
          if (bug === 'the key draws the mask of the next seed')
            fc.pre(r0.some((r, i) => r !== r1[i] && significant(c, i)));
          let failed = false;
          try {
            unobserved(() => checkLayerThroughEngine(c, wrong[bug]));
          } catch {
            failed = true;
          }
          return failed;
        },
      ),
      { numRuns: runs(20) },
      {
        basis: {
          ...ENGINE_BASIS,
          reference: `${ENGINE_BASIS.reference} Here against four deliberately wrong ops, each of which must fail.`,
        },
      },
    );
  });
});
