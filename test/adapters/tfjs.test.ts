// TensorFlow.js's dropout through the adapters, audited at small sample sizes (the full audit is in
// reports/): tf.dropout and tf.layers.dropout compute in float32 and pass when judged in float32;
// the same call with keep passed as the rate is caught.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { type TfLike, tfDropout, tfLayersDropout } from '../../src/adapters/tfjs.ts';
import { type AuditOptions, auditDropout } from '../../src/verify/audit/index.ts';

const SMALL: AuditOptions = { alpha: 1e-3, rateError: 0.1, scaleError: 0.1, dependence: 0.2, power: 0.9, seed: 3 };
// the real tf module is passed as it is: TfLike is written so that it fits without a cast
const tfl: TfLike = tf;
const verdicts = async (c: Parameters<typeof auditDropout>[0]) => {
  const r = await auditDropout(c, SMALL);
  return { r, failed: r.properties.filter((p) => p.verdict === 'fail').map((p) => p.id) };
};

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('TF.js adapters', () => {
  it('tf.dropout on the cpu backend passes in float32 (throwing at rate 1, as it does)', async () => {
    const { r, failed } = await verdicts(tfDropout(tfl));
    expect(failed).toEqual([]);
    expect(r.precision).toBe('float32');
    expect(r.candidate).toBe('tf.dropout (TF.js, cpu backend)');
    expect(r.properties.find((p) => p.id === 'rate-one')!.verdict).toBe('not applicable');
  }, 60_000);
  it('tf.layers.dropout in training mode passes in float32 (no vjp)', async () => {
    const { failed } = await verdicts(tfLayersDropout(tfl));
    expect(failed).toEqual([]);
  }, 60_000);
  it('a wrapper that passes keep where tf.dropout takes the rate fails drop frequency', async () => {
    const c = tfDropout(tfl);
    const wrong = {
      ...c,
      name: 'keep as rate',
      forward: (x: Float64Array, rate: number, training: boolean, seed: number) =>
        c.forward(x, rate === 0 ? 0 : 1 - rate, training, seed),
    };
    const { failed } = await verdicts(wrong);
    expect(failed).toContain('drop-frequency');
  }, 60_000);
  it('tfLayersDropout needs the package with layers', () => {
    expect(() => tfLayersDropout({ ...tfl, layers: undefined })).toThrow(
      /expected the @tensorflow\/tfjs package \(with layers\)/,
    );
  });
});
