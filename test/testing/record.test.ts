// The claim-record writer: what each kind of check records, when it throws, and the per-file fragment
// it leaves for reports/properties.json. Its fragment goes to a folder of its own, removed afterwards,
// so the suite's records stay those of the property files.
import { existsSync, readFileSync, rmSync } from 'node:fs';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { tensor } from '../../src/index.ts';
import { fragmentDir, observe, recorder, toJSONValue, unobserved, type ClaimRecord } from '../../src/testing/record.ts';

const run = process.env.DROPCHECK_RUN;
process.env.DROPCHECK_RUN = `record-test-${process.pid}`;
const dir = fragmentDir();
// registered before the recorder's own afterAll, so it runs after it (vitest runs after-hooks as a stack)
afterAll(() => {
  const records = JSON.parse(readFileSync(`${dir}/record.test.ts.json`, 'utf8')) as ClaimRecord[];
  rmSync(dir, { recursive: true, force: true });
  process.env.DROPCHECK_RUN = run;
  expect(records.map((r) => [r.property.split(' › ').pop(), r.verdict])).toEqual([
    ['holds records the largest observed error (E-LIN)', 'holds'],
    ["a failing property throws fast-check's report and records the counterexample (E-LIN)", 'failed'],
    ['refutes returns the counterexample it was told exists (E-INV)', 'refuted-as-expected'],
    ['refutes fails when none is found (E-INV)', 'failed'],
    ['check records α and its bound, and says both when it fails (M-CONV)', 'holds'],
    ['check records α and its bound, and says both when it fails (M-CONV)', 'failed'],
    ['check records α and its bound, and says both when it fails (M-CONV)', 'contradicted'],
  ]);
  expect(records[0]).toMatchObject({
    claims: ['E-LIN'],
    cases: 50,
    maxError: 0.5,
    seed: 1,
    reference: 'exact',
    file: 'record.test.ts',
  });
  expect(records[1]!.counterexample).toEqual([10]);
  expect(records[4]).toMatchObject({ alpha: 1e-6, bound: 'Hoeffding' });
});
const { holds, refutes, check } = recorder(import.meta.url, {
  'E-LIN': { reference: 'exact', tolerance: '0' },
  'E-INV': { reference: 'r', tolerance: 't' },
  'M-CONV': { reference: 'r', tolerance: 't' },
});

describe('recorder', () => {
  it('holds records the largest observed error (E-LIN)', () => {
    holds(
      fc.property(fc.integer({ min: 0, max: 5 }), (k) => (observe(k / 10), true)),
      { seed: 1, numRuns: 50 },
    );
    expect(existsSync(dir)).toBe(false); // written once, after the file
  });
  it("a failing property throws fast-check's report and records the counterexample (E-LIN)", () => {
    expect(() =>
      holds(
        fc.property(fc.integer({ min: 0, max: 100 }), (k) => {
          if (k >= 10) throw new Error(`${k} is not below 10`);
        }),
        { seed: 1 },
      ),
    ).toThrow(/Counterexample: \[10\][\s\S]*The assertion that failed/);
  });
  it('refutes returns the counterexample it was told exists (E-INV)', () => {
    expect(
      refutes(
        fc.property(fc.integer({ min: 0, max: 100 }), (k) => k < 10),
        { seed: 1 },
      ),
    ).toEqual([10]);
  });
  it('refutes fails when none is found (E-INV)', () => {
    expect(() =>
      refutes(
        fc.property(fc.integer({ min: 0, max: 9 }), (k) => k < 10),
        { seed: 1, numRuns: 20 },
      ),
    ).toThrow(/expected fast-check to find a counterexample, found none in 20 runs/);
    expect(() =>
      refutes(
        fc.property(fc.integer(), () => {
          throw new Error('boom');
        }),
        { seed: 1 },
      ),
    ).toThrow(/threw instead of returning false/);
  });
  it('check records α and its bound, and says both when it fails (M-CONV)', () => {
    check({ cases: 10, ok: true, alpha: 1e-6, bound: 'Hoeffding' });
    expect(() => check({ cases: 10, ok: false, alpha: 1e-6, bound: 'Hoeffding' })).toThrow(
      /failed \(false-failure probability ≤ 0.000001, Hoeffding\)/,
    );
    check({ cases: 10, ok: true, contradicts: 'the stated slope' });
  });
  it('a check in a test that names no claim ID is refused', () => {
    expect(() => check({ cases: 1, ok: true })).toThrow(/must name its claim IDs/);
  });
});

describe('observations and JSON values', () => {
  it('unobserved mutes observe inside it and restores it after, even on a throw', () => {
    expect(unobserved(() => 3)).toBe(3);
    expect(() =>
      unobserved(() => {
        throw new Error('x');
      }),
    ).toThrow('x');
  });
  it('toJSONValue writes tensors as shape and values, typed arrays as arrays, non-finite numbers as strings', () => {
    expect(toJSONValue({ t: tensor([[1, 2]]), a: new Float64Array([Infinity]), n: [NaN, 1] })).toEqual({
      t: { shape: [1, 2], values: [1, 2] },
      a: [Infinity],
      n: ['NaN', 1],
    });
  });
});
