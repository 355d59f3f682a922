// The battery at small sample sizes: options asking for large effects at α = 1e-3 make every audit
// a few hundred ms, so each catalogue candidate can be judged property by property (the exact set
// that fails and the exact set that does not apply) and every report compared word for word with
// the committed one. The default sizes are judged in audit.test.ts and audit-catalogue.test.ts.
import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  type AuditOptions,
  type AuditResult,
  type DropoutCandidate,
  PROPERTIES,
  auditDropout,
  engineCandidate,
  formatJson,
  formatMarkdown,
} from '../../src/verify/audit/index.ts';
import { drawnRates } from '../../src/verify/audit/context.ts';
import inverted from '../support/candidates/correct/inverted.ts';

const SMALL: AuditOptions = { alpha: 1e-3, rateError: 0.1, scaleError: 0.1, dependence: 0.2, power: 0.9 };
/** Bugs smaller than SMALL's effects, audited with the one effect size their bug needs. */
const TARGETED: Record<string, AuditOptions> = {
  'rate-off-by-0.002': { rateError: 0.002 },
  'rate-off-by-0.01': { rateError: 0.01 },
  'rate-rounded-to-0.01': { rateError: 0.004 },
  'rate-shortcut-below-0.02': { rateError: 0.01 },
  'scale-off-0.5pct': { scaleError: 0.005 },
  'scale-off-1pct': { scaleError: 0.01 },
  'short-period': { dependence: 0.05 },
  'value-dependent': { dependence: 0.05 },
};
const NO_VJP = ['vjp-mask', 'vjp-finite-differences'];

// [candidate file, the properties that fail, the properties that do not apply, those that cannot be judged]
const EXPECTED: [string, string[], string[], string[]?][] = [
  ['correct/async-no-vjp', [], [...NO_VJP, 'rate-one']],
  ['correct/inverted', [], []],
  ['correct/inverted-f32', [], []],
  ['correct/scale-at-inference', [], []],
  ['correct/scale-at-inference-f32', [], []],
  ['broken/active-at-inference', ['inference', 'expectation', 'rate-one'], NO_VJP],
  ['broken/backward-mask-differs', ['vjp-mask', 'vjp-finite-differences'], []],
  ['broken/block-rescale', ['non-finite-inputs'], NO_VJP],
  ['broken/clamps-rate', ['invalid-rates'], NO_VJP],
  ['broken/convention-mismatch', ['inference', 'training-values', 'rate-one'], NO_VJP],
  ['broken/f32-keep-bfloat16', ['training-values', 'vjp-mask'], []],
  ['broken/f32-vjp-unscaled', ['vjp-mask', 'vjp-finite-differences'], []],
  ['broken/drops-last', ['inference', 'rate-zero', 'reproducible', 'rate-one', 'output-shape'], NO_VJP],
  ['broken/inference-scales-by-rate', ['inference', 'expectation', 'rate-one'], NO_VJP],
  ['broken/mutates-input', ['input-not-mutated'], NO_VJP],
  ['broken/nan-at-rate-one', ['rate-one'], NO_VJP],
  ['broken/rate-as-keep', ['drop-frequency', 'expectation', 'rate-one'], NO_VJP],
  ['broken/rate-off-by-0.002', ['drop-frequency', 'expectation'], NO_VJP],
  ['broken/rate-off-by-0.01', ['drop-frequency', 'expectation'], NO_VJP],
  ['broken/rate-rounded-to-0.01', ['drop-frequency', 'expectation'], NO_VJP],
  ['broken/rate-shortcut-below-0.02', ['drop-frequency', 'training-values'], NO_VJP],
  ['broken/rng-endpoint', ['rate-zero'], NO_VJP],
  ['broken/scale-by-rate', ['expectation', 'training-values'], NO_VJP],
  ['broken/scale-off-0.5pct', ['expectation', 'training-values'], NO_VJP],
  ['broken/scale-off-1pct', ['expectation', 'training-values'], NO_VJP],
  ['broken/seed-ignored', ['reproducible'], NO_VJP, ['non-finite-inputs']],
  ['broken/seed-low-bits', ['independent-seeds'], NO_VJP],
  ['broken/seed-reused', ['independent-seeds'], NO_VJP],
  ['broken/shared-mask-bits', ['independent-neighbours'], NO_VJP],
  ['broken/short-period', ['independent-neighbours', 'no-short-period'], NO_VJP],
  ['broken/value-dependent', ['independent-of-values', 'rate-one'], NO_VJP],
  ['broken/vjp-no-rescale', ['vjp-mask', 'vjp-finite-differences'], []],
];

const STATEFUL = 'broken/seed-ignored';
const AWAY_FROM_ANCHORS = ['broken/rate-rounded-to-0.01', 'broken/rate-shortcut-below-0.02'];
const ids = (r: AuditResult, verdict: string) => r.properties.filter((p) => p.verdict === verdict).map((p) => p.id);

describe('every catalogue candidate at small sample sizes', () => {
  it('the table lists every candidate file', () => {
    const files = ['correct', 'broken'].flatMap((d) =>
      readdirSync(new URL(`../support/candidates/${d}/`, import.meta.url)).map((f) => `${d}/${f.replace(/\.ts$/, '')}`),
    );
    expect(EXPECTED.map(([f]) => f).sort()).toEqual(files.sort());
  });

  it.each(EXPECTED)('%s: fails exactly %j', async (file, fails, na, unjudged = []) => {
    // the stateful candidate is loaded as a module instance of its own, so its generator starts at the
    // same place whatever ran before in this worker, and its report can be compared too
    const mod = await import(
      new URL(`../support/candidates/${file}.ts${file === STATEFUL ? '?instance=audit-small' : ''}`, import.meta.url)
        .href
    );
    const options = { ...SMALL, ...TARGETED[file.split('/')[1]] };
    const r = await auditDropout(mod.default, options);
    expect(ids(r, 'fail'), formatMarkdown(r)).toEqual(fails);
    expect(ids(r, 'not applicable')).toEqual(na);
    expect(ids(r, 'not judged')).toEqual(unjudged);
    expect(ids(r, 'pass')).toEqual(
      PROPERTIES.map((p) => p.id).filter((id) => ![...fails, ...na, ...unjudged].includes(id)),
    );
    expect(r.ok).toBe(fails.length === 0);
    // a broken candidate fails (at least) the properties its module says its bug breaks, and the
    // evidence of each failure names a call or an input that shows it
    for (const id of (mod.catches as string[] | undefined) ?? []) expect(fails).toContain(id);
    for (const p of r.properties.filter((q) => q.verdict === 'fail'))
      expect(p.evidence).toMatch(/(forward|vjp)\(x of length \d+|lag \d+|sign|magnitude|seeds \d+/);
    // bugs that no anchor rate can show are caught at a rate drawn from the audit seed
    if (AWAY_FROM_ANCHORS.includes(file))
      for (const id of fails)
        expect(drawnRates(20261127)).toContain(r.properties.find((p) => p.id === id)!.failingCase!.rate);
    expect(r.options).toEqual({ ...SMALL, ...TARGETED[file.split('/')[1]], seed: 20261127, timeoutMs: 30000 });
    // the statistical properties share α: their bounds add up to at most it, and each reaches the power asked for
    expect(r.falseFailure).toBeGreaterThan(0);
    expect(r.falseFailure).toBeLessThanOrEqual(r.options.alpha);
    expect(r.falseFailure).toBeCloseTo(
      r.properties.reduce((s, p) => s + p.falseFailure, 0),
      15,
    );
    expect(r.calls).toBeGreaterThan(0);
    expect(r.elements).toBeGreaterThan(r.calls);
    // the report word for word, in the same test that made it, so a change to any evidence string
    // fails the test that ran its code (update with `npx vitest run test/audit/audit-small.test.ts -u` after a
    // deliberate change); every candidate, the stateful one from its own module instance (above)
    await expect(
      formatMarkdown(r, `npx dropcheck audit test/support/candidates/${file}.ts`, { timing: false }),
    ).toMatchFileSnapshot(`./__snapshots__/audit-small/${file}.md`);
  });
});

describe('the engine as a candidate', () => {
  it.each(['inverted', 'scale-at-inference'] as const)(
    '%s passes every property at small sample sizes',
    async (convention) => {
      const r = await auditDropout(engineCandidate(convention), SMALL);
      expect(ids(r, 'fail')).toEqual([]);
      expect(ids(r, 'not applicable')).toEqual([]);
      expect(r.convention).toBe(convention);
      expect(JSON.parse(formatJson(r))).toMatchObject({ ok: true, convention, candidate: r.candidate });
    },
  );
});

describe('candidates that misbehave', () => {
  const wrap = (name: string, forward: DropoutCandidate['forward']): DropoutCandidate => ({
    ...inverted,
    name,
    forward,
  });

  it('a call that never answers fails its property with a timeout naming the call, and the audit goes on', async () => {
    const r = await auditDropout(
      wrap('hangs in training', (x, rate, training, seed) =>
        training && rate === 0.5 ? new Promise<Float64Array>(() => {}) : inverted.forward(x, rate, training, seed),
      ),
      { ...SMALL, timeoutMs: 20 },
    );
    const failed = r.properties.filter((p) => p.verdict === 'fail');
    expect(failed.map((p) => p.id)).toEqual([
      'drop-frequency',
      'expectation',
      'independent-neighbours',
      'independent-of-values',
      'independent-seeds',
      'no-short-period',
      'vjp-mask',
      'vjp-finite-differences',
      'non-finite-inputs',
    ]);
    for (const p of failed)
      expect(p.evidence, p.id).toMatch(/rate 0\.5, training true, seed \d+\): did not answer within 20 ms/);
  });

  it('an answer of the wrong length or type fails output-shape, naming what came back', async () => {
    const r = await auditDropout(
      wrap('one short', (x, rate, training, seed) =>
        inverted.forward(x, rate, training, seed).subarray(0, Math.max(0, x.length - 1)),
      ),
      SMALL,
    );
    expect(ids(r, 'fail')).toContain('output-shape');
    expect(r.properties.find((p) => p.id === 'output-shape')?.evidence).toMatch(
      /^forward\(x of length 1, rate 0\.1, training true, seed \d+\): returned 0 values for an input of length 1 \(and \d+ more calls\)$/,
    );
    const q = await auditDropout(
      wrap('returns a number', () => 3 as unknown as Float64Array),
      SMALL,
    );
    expect(q.properties.find((p) => p.id === 'output-shape')?.evidence).toMatch(
      /returned 3, expected a Float64Array or Float32Array of length 1/,
    );
  });

  it('a throw names the thrown value; a candidate that throws in every training call fails every statistical property', async () => {
    const r = await auditDropout(
      wrap('no training mode', (x, rate, training, seed) => {
        if (training && rate > 0 && rate < 1) throw new TypeError('not implemented');
        return inverted.forward(x, rate, training, seed);
      }),
      SMALL,
    );
    const v = Object.fromEntries(r.properties.map((p) => [p.id, p]));
    for (const id of [
      'drop-frequency',
      'expectation',
      'independent-neighbours',
      'independent-of-values',
      'independent-seeds',
      'no-short-period',
    ]) {
      expect(v[id].verdict, id).toBe('fail');
      expect(v[id].evidence, id).toMatch(/training true, seed \d+\): threw TypeError: not implemented$/);
    }
  });
});
