// The audit library: correct candidates pass under several seeds, the candidate interface is
// checked member by member, timeouts do what they say (options and sample-size plans: audit-plan.test.ts).
import { describe, expect, it } from 'vitest';
import {
  type DropoutCandidate,
  CandidateError,
  PROPERTIES,
  assertDropout,
  auditDropout,
  checkCandidate,
  engineCandidate,
  formatJson,
  formatMarkdown,
} from '../../src/verify/audit/index.ts';
import inverted from '../support/candidates/correct/inverted.ts';
import scaleAtInference from '../support/candidates/correct/scale-at-inference.ts';
import asyncNoVjp from '../support/candidates/correct/async-no-vjp.ts';
import rateOffBy001 from '../support/candidates/broken/rate-off-by-0.01.ts';
import invertedF32 from '../support/candidates/correct/inverted-f32.ts';
import scaleAtInferenceF32 from '../support/candidates/correct/scale-at-inference-f32.ts';
import keepBfloat16 from '../support/candidates/broken/f32-keep-bfloat16.ts';

// Many more seeds: npm run calibrate (reports/calibration.md).
const correct: [string, number[], DropoutCandidate][] = [
  ['reference inverted', [1, 2], inverted],
  ['reference scale-at-inference', [3], scaleAtInference],
  ['async, no vjp, throws at rate 1', [4], asyncNoVjp],
  ['the engine (inverted)', [5], engineCandidate('inverted')],
  ['the engine (scale-at-inference)', [6], engineCandidate('scale-at-inference')],
  ['reference inverted in float32 (answers Float32Arrays)', [7], invertedF32],
  ['reference scale-at-inference in float32 (declared)', [8], scaleAtInferenceF32],
];

describe('correct candidates pass', () => {
  it.each(correct)('%s, seeds %j', async (_, seeds, c) => {
    for (const seed of seeds) {
      const r = await auditDropout(c, { seed });
      expect(
        r.properties.filter((p) => p.verdict === 'fail'),
        formatMarkdown(r),
      ).toEqual([]);
      expect(r.ok).toBe(true);
      expect(r.falseFailure).toBeLessThanOrEqual(1e-6);
    }
  });

  it('n/a where the interface allows: no vjp, a throw at rate 1', async () => {
    const r = await auditDropout(asyncNoVjp);
    const verdict = Object.fromEntries(r.properties.map((p) => [p.id, p.verdict]));
    expect(verdict['vjp-mask']).toBe('not applicable');
    expect(verdict['vjp-finite-differences']).toBe('not applicable');
    expect(verdict['rate-one']).toBe('not applicable');
  });

  it('is reproducible: the same seed gives the same result', async () => {
    const strip = (r: Awaited<ReturnType<typeof auditDropout>>) => ({ ...r, ms: 0 });
    expect(strip(await auditDropout(inverted, { seed: 5 }))).toEqual(strip(await auditDropout(inverted, { seed: 5 })));
  });
});

describe('reports', () => {
  it('markdown: verdict line, one row per property, the false-failure total; JSON round-trips', async () => {
    const r = await auditDropout(rateOffBy001);
    const md = formatMarkdown(r, 'npx dropcheck audit x.ts --seed 20261127');
    expect(md).toContain('**FAIL**: 2 of 15 properties fail (drop-frequency, expectation).');
    expect(md.split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('| property')).length).toBe(
      PROPERTIES.length,
    );
    expect(md).toMatch(
      /rate 0\.1, training true, seed \d+\): [\d,]+ dropped \(0\.11\d+\), expected a count in \[7,774, 8,721\]/,
    );
    expect(md).toContain('Rerun: `npx dropcheck audit x.ts --seed 20261127`');
    expect(JSON.parse(formatJson(r))).toMatchObject({ ok: false, candidate: 'drop rate off by 0.01' });
    expect(md).toMatch(/elements, \d+\.\d s\./);
    const quiet = formatMarkdown(r, undefined, { timing: false, heading: '##' });
    expect(quiet.startsWith('## Dropout audit: drop rate off by 0.01 (inverted, float64 arithmetic)')).toBe(true);
    expect(quiet).toMatch(/elements\.\n$/);
  });

  it('assertDropout throws the table for a failing candidate and returns the result for a passing one', async () => {
    await expect(assertDropout(rateOffBy001)).rejects.toThrow(
      /dropout audit of "drop rate off by 0\.01" failed:[\s\S]*\| drop-frequency: Drop frequency matches rate \| \*\*FAIL\*\*/,
    );
    await expect(assertDropout(inverted)).resolves.toMatchObject({ ok: true });
  });
});

describe('the candidate interface', () => {
  const forward = (x: Float64Array) => x.slice();
  it.each([
    [null, /expected an object \{ name, convention, forward, vjp\? \}, got null/],
    [{ convention: 'inverted', forward }, /expected name to be a non-empty string, got undefined/],
    [{ name: '', convention: 'inverted', forward }, /expected name to be a non-empty string, got ""/],
    [
      { name: 'a', convention: 'standard', forward },
      /expected convention to be 'inverted' or 'scale-at-inference', got "standard"/,
    ],
    [
      { name: 'a', convention: 'inverted' },
      /expected forward to be a function \(x, rate, training, seed\) => Float64Array, got undefined/,
    ],
    [{ name: 'a', convention: 'inverted', forward, vjp: 3 }, /expected vjp to be a function .* or absent, got 3/],
  ])('refuses %o', (c, message) => {
    expect(() => checkCandidate(c)).toThrow(CandidateError);
    expect(() => checkCandidate(c)).toThrow(message);
  });

  it('auditDropout refuses a non-candidate before calling anything', async () => {
    await expect(auditDropout({ name: 'a' } as unknown as DropoutCandidate)).rejects.toThrow(/expected convention/);
  });

  it('a call that never answers fails its property with a timeout, the others still judged', async () => {
    const hangsAtRateOne: DropoutCandidate = {
      ...inverted,
      name: 'hangs at rate 1',
      forward: (x, rate, training, seed) =>
        rate === 1 ? new Promise<Float64Array>(() => {}) : inverted.forward(x, rate, training, seed),
    };
    const r = await auditDropout(hangsAtRateOne, { timeoutMs: 50 });
    const failed = r.properties.filter((p) => p.verdict === 'fail');
    expect(failed.map((p) => p.id)).toEqual(['rate-one']);
    expect(failed[0].evidence).toMatch(/rate 1, training true.*did not answer within 50 ms/);
  });

  it('a candidate may refuse non-finite input with an error; answering badly for it fails', async () => {
    const finite = (x: Float64Array) => x.every(Number.isFinite);
    const refuses: DropoutCandidate = {
      ...inverted,
      name: 'refuses NaN',
      forward: (x, r, t, s) => {
        if (!finite(x)) throw new RangeError('x must be finite');
        return inverted.forward(x, r, t, s);
      },
    };
    const r = await auditDropout(refuses);
    const nf = r.properties.find((p) => p.id === 'non-finite-inputs');
    expect(nf?.verdict).toBe('pass');
    expect(nf?.evidence).toMatch(/9 calls refused non-finite input with an error \(allowed\)/);
    const short: DropoutCandidate = {
      ...inverted,
      name: 'short answer for NaN',
      forward: (x, r, t, s) => (finite(x) ? inverted.forward(x, r, t, s) : new Float64Array(1)),
    };
    const q = await auditDropout(short);
    expect(q.properties.filter((p) => p.verdict === 'fail').map((p) => p.id)).toEqual([
      'non-finite-inputs',
      'output-shape',
    ]);
  });

  it('a candidate that throws at inference fails inference and expectation, naming the thrown value', async () => {
    const c: DropoutCandidate = {
      ...inverted,
      name: 'throws at inference',
      forward: (x, r, t, s) => {
        if (!t && r > 0) throw 'no inference mode';
        return inverted.forward(x, r, t, s);
      },
    };
    const r = await auditDropout(c);
    const failed = r.properties.filter((p) => p.verdict === 'fail');
    expect(failed.map((p) => p.id)).toEqual([
      'inference',
      'expectation',
      'vjp-mask',
      'vjp-finite-differences',
      'non-finite-inputs',
    ]);
    expect(failed[1].evidence).toMatch(/training false.*threw "no inference mode"/);
  });

  it('a candidate whose training calls throw fails every statistical property with the error', async () => {
    const c: DropoutCandidate = {
      ...inverted,
      name: 'no training mode',
      forward: (x, r, t, s) => {
        if (t && r > 0 && r < 1) throw new Error('not implemented');
        return inverted.forward(x, r, t, s);
      },
    };
    const r = await auditDropout(c);
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
      expect(v[id].evidence, id).toMatch(/training true.*threw Error: not implemented/);
    }
  });

  it('answers of the wrong type are malformed, not crashes', async () => {
    const returnsString: DropoutCandidate = {
      ...inverted,
      name: 'returns a string',
      forward: () => 'zeros' as unknown as Float64Array,
    };
    const r = await auditDropout(returnsString, { timeoutMs: 1000 });
    const shape = r.properties.find((p) => p.id === 'output-shape');
    expect(shape?.verdict).toBe('fail');
    expect(shape?.evidence).toMatch(/returned "zeros", expected a Float64Array or Float32Array of length 1/);
  });
});

describe('precision', () => {
  it('is declared, or read from the answers; the report and the JSON state it', async () => {
    const r = await auditDropout(invertedF32, { seed: 9 });
    expect(r.precision).toBe('float32');
    expect(formatMarkdown(r)).toMatch(
      /^# Dropout audit: reference inverted dropout, float32 \(inverted, float32 arithmetic\)/,
    );
    expect(JSON.parse(formatJson(r)).precision).toBe('float32');
    expect((await auditDropout(inverted, { seed: 9 })).precision).toBe('float64');
  });
  it('float32 semantics judge what a float32 implementation computes: fround(x) exactly, kept values to 4·2^-23', async () => {
    const r = await auditDropout(invertedF32, { seed: 10 });
    const evidence = Object.fromEntries(r.properties.map((p) => [p.id, p.evidence]));
    expect(evidence.inference).toMatch(/fround\(x\) exactly/);
    expect(evidence['training-values']).toMatch(/0 or fround\(x\)\/keep \(to 4·2\^-23 relative\)/);
    expect(r.properties.find((p) => p.id === 'vjp-finite-differences')!.test).toBe(
      'central differences, h 2^-6, float32 rounding bound',
    );
  });
  it('the same float32 answers judged as float64 (declared) fail the exact properties, as before', async () => {
    const r = await auditDropout({ ...invertedF32, precision: 'float64' }, { seed: 9 });
    expect(r.properties.filter((p) => p.verdict === 'fail').map((p) => p.id)).toEqual([
      'inference',
      'rate-zero',
      'training-values',
      'vjp-mask',
      'vjp-finite-differences',
      'rate-one',
    ]);
  });
  it('a float32 multiplier from a bfloat16 keep fails training-values, naming the element', async () => {
    const r = await auditDropout(keepBfloat16, { seed: 9 });
    const tv = r.properties.find((p) => p.id === 'training-values')!;
    expect(tv.verdict).toBe('fail');
    expect(tv.evidence).toMatch(/expected 0 or fround\(x\)\/keep = /);
  });
  it('a precision other than float64 or float32 is refused', () => {
    expect(() => checkCandidate({ ...inverted, precision: 'float16' })).toThrow(
      new CandidateError("the candidate: expected precision to be 'float64', 'float32' or absent, got \"float16\""),
    );
  });
});
