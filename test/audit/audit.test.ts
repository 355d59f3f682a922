// The audit library: correct candidates pass under several seeds, the candidate interface is
// checked member by member, timeouts do what they say (options and sample-size plans: audit-plan.test.ts).
import { describe, expect, it } from 'vitest';
import {
  type DropoutCandidate,
  PROPERTIES,
  assertDropout,
  auditDropout,
  engineCandidate,
  formatJson,
  formatMarkdown,
} from '../../src/verify/audit/index.ts';
import { drawnRates } from '../../src/verify/audit/context.ts';
import inverted from '../support/candidates/correct/inverted.ts';
import scaleAtInference from '../support/candidates/correct/scale-at-inference.ts';
import asyncNoVjp from '../support/candidates/correct/async-no-vjp.ts';
import rateOffBy001 from '../support/candidates/broken/rate-off-by-0.01.ts';
import invertedF32 from '../support/candidates/correct/inverted-f32.ts';
import scaleAtInferenceF32 from '../support/candidates/correct/scale-at-inference-f32.ts';
import { MEDIUM, QUICK } from '../support/audit-options.ts';

// Many more seeds: npm run calibrate (reports/calibration.md).
const correct: [string, number[], DropoutCandidate][] = [
  ['reference inverted', [1], inverted],
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
      const r = await auditDropout(c, { ...MEDIUM, seed });
      expect(
        r.properties.filter((p) => p.verdict === 'fail'),
        formatMarkdown(r),
      ).toEqual([]);
      expect(r.ok).toBe(true);
      expect(r.falseFailure).toBeLessThanOrEqual(1e-6);
    }
  });

  it('at the default effect sizes (drop rate ± 0.002, scale 1 ± 0.005), at anchor and drawn rates, the engine passes', async () => {
    const r = await auditDropout(engineCandidate('inverted'));
    expect(
      r.properties.filter((p) => p.verdict === 'fail'),
      formatMarkdown(r),
    ).toEqual([]);
    expect(r.falseFailure).toBeLessThanOrEqual(1e-6);
    const drawn = drawnRates(r.options.seed);
    const prop = (id: string) => r.properties.find((p) => p.id === id)!;
    expect(prop('drop-frequency').power).toMatch(/^≥ 0\.99\d+ vs drop rate ± 0\.002$/);
    expect(prop('drop-frequency').evidence).toContain(`at rates 0.1, 0.3, 0.5, 0.7, 0.9 and drawn ${drawn.join(', ')}`);
    expect(prop('expectation').power).toMatch(/^≥ 0\.99\d+ vs outputs scaled by 1 ± 0\.005$/);
    expect(prop('inference').evidence).toContain(`drawn ${drawn.join(', ')}`);
  }, 120_000);

  it('n/a where the interface allows: no vjp, a throw at rate 1', async () => {
    const r = await auditDropout(asyncNoVjp, QUICK);
    const verdict = Object.fromEntries(r.properties.map((p) => [p.id, p.verdict]));
    expect(verdict['vjp-mask']).toBe('not applicable');
    expect(verdict['vjp-finite-differences']).toBe('not applicable');
    expect(verdict['rate-one']).toBe('not applicable');
  });

  it('is reproducible: the same seed gives the same result', async () => {
    const strip = (r: Awaited<ReturnType<typeof auditDropout>>) => ({ ...r, ms: 0 });
    expect(strip(await auditDropout(inverted, { ...QUICK, seed: 5 }))).toEqual(
      strip(await auditDropout(inverted, { ...QUICK, seed: 5 })),
    );
  });
});

describe('reports', () => {
  it('markdown: verdict line, one row per property, the false-failure total; JSON round-trips', async () => {
    const r = await auditDropout(rateOffBy001, MEDIUM);
    const md = formatMarkdown(r, 'npx dropcheck audit x.ts --seed 20261127');
    expect(md).toContain('**FAIL**: 2 of 15 properties fail (drop-frequency, expectation).');
    expect(md.split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('| property')).length).toBe(
      PROPERTIES.length,
    );
    expect(md).toMatch(
      /rate 0\.1, training true, seed \d+\): [\d,]+ dropped \(0\.11\d+\), expected a count in \[[\d,]+, [\d,]+\]/,
    );
    expect(md).toContain('Rerun: `npx dropcheck audit x.ts --seed 20261127`');
    expect(JSON.parse(formatJson(r))).toMatchObject({ ok: false, candidate: 'drop rate off by 0.01' });
    expect(md).toMatch(/elements, \d+\.\d s\./);
    const quiet = formatMarkdown(r, undefined, { timing: false, heading: '##' });
    expect(quiet.startsWith('## Dropout audit: drop rate off by 0.01 (inverted, float64 arithmetic)')).toBe(true);
    expect(quiet).toMatch(/elements\.\n$/);
  });

  it('assertDropout throws the table for a failing candidate and returns the result for a passing one', async () => {
    await expect(assertDropout(rateOffBy001, MEDIUM)).rejects.toThrow(
      /dropout audit of "drop rate off by 0\.01" failed:[\s\S]*\| drop-frequency: Drop frequency matches rate \| \*\*FAIL\*\*/,
    );
    await expect(assertDropout(inverted, QUICK)).resolves.toMatchObject({ ok: true });
  });
});
