// Precision: float32 candidates judged in float32 arithmetic, declared or read from their answers
// (moved from audit.test.ts).
import { describe, expect, it } from 'vitest';
import {
  CandidateError,
  auditDropout,
  checkCandidate,
  formatJson,
  formatMarkdown,
} from '../../src/verify/audit/index.ts';
import inverted from '../support/candidates/correct/inverted.ts';
import invertedF32 from '../support/candidates/correct/inverted-f32.ts';
import keepBfloat16 from '../support/candidates/broken/f32-keep-bfloat16.ts';
import { QUICK } from '../support/audit-options.ts';

describe('precision', () => {
  it('is declared, or read from the answers; the report and the JSON state it', async () => {
    const r = await auditDropout(invertedF32, { ...QUICK, seed: 9 });
    expect(r.precision).toBe('float32');
    expect(formatMarkdown(r)).toMatch(
      /^# Dropout audit: reference inverted dropout, float32 \(inverted, float32 arithmetic\)/,
    );
    expect(JSON.parse(formatJson(r)).precision).toBe('float32');
    expect((await auditDropout(inverted, { ...QUICK, seed: 9 })).precision).toBe('float64');
  });
  it('float32 semantics judge what a float32 implementation computes: fround(x) exactly, kept values to 4·2^-23', async () => {
    const r = await auditDropout(invertedF32, { ...QUICK, seed: 10 });
    const evidence = Object.fromEntries(r.properties.map((p) => [p.id, p.evidence]));
    expect(evidence.inference).toMatch(/fround\(x\) exactly/);
    expect(evidence['training-values']).toMatch(/0 or fround\(x\)\/keep \(to 4·2\^-23 relative\)/);
    expect(r.properties.find((p) => p.id === 'vjp-finite-differences')!.test).toBe(
      'central differences, h 2^-6, float32 rounding bound',
    );
  });
  it('the same float32 answers judged as float64 (declared) fail the exact properties, as before', async () => {
    const r = await auditDropout({ ...invertedF32, precision: 'float64' }, { ...QUICK, seed: 9 });
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
    const r = await auditDropout(keepBfloat16, { ...QUICK, seed: 9 });
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
