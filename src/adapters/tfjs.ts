// TensorFlow.js's dropout as audit candidates. The caller passes its own `tf` (so TF.js stays the
// user's dependency, not ours) with a backend already set. TF.js computes in float32: the candidates
// answer with Float32Arrays, which the audit judges in float32 arithmetic.
import type { DropoutCandidate } from '../verify/audit/candidate.ts';

/**
 * The part of the TF.js API the adapters use. Structural, so no TF.js types are needed here; its
 * tensors are `any` so that the real \`tf\` module (whose functions take Tensor | TensorLike) fits.
 */
export interface TfLike {
  tensor1d(values: Float32Array): any;
  dropout(x: any, rate: number, noiseShape?: number[], seed?: number | string): any;
  grad(f: (x: any) => any): (x: any, dy?: any) => any;
  tidy<T extends Float32Array>(fn: () => T): T;
  getBackend(): string;
  layers?: {
    dropout(args: { rate: number; seed?: number }): { apply(x: any, kwargs?: { training?: boolean }): any };
  };
}
interface TensorLike {
  dataSync(): Float32Array | Int32Array | Uint8Array;
}

// tf.dropout's own check (rate in [0, 1)), made at inference too, where tf.dropout is not called
function checkRate(rate: number): void {
  if (!(rate >= 0 && rate < 1)) throw new RangeError(`rate must be a float in the range [0, 1), got ${rate}`);
}

const answer = (t: TensorLike) => new Float32Array(t.dataSync());

/**
 * `tf.dropout(x, rate, undefined, seed)` in training and the identity at inference (TF.js's
 * inverted convention), with its gradient from `tf.grad`. Needs gradients registered (the
 * `@tensorflow/tfjs` package does; with `tfjs-core` alone, import its `register_all_gradients`).
 *
 * @example
 * import * as tf from '@tensorflow/tfjs';
 * await tf.setBackend('cpu');
 * const result = await auditDropout(tfDropout(tf));
 */
export function tfDropout(tf: TfLike): DropoutCandidate {
  const drop = (v: Float64Array, rate: number, seed: number) =>
    tf.dropout(tf.tensor1d(new Float32Array(v)), rate, undefined, seed);
  return {
    name: `tf.dropout (TF.js, ${tf.getBackend()} backend)`,
    convention: 'inverted',
    precision: 'float32',
    forward(x, rate, training, seed) {
      checkRate(rate);
      if (!training) return new Float32Array(x);
      return tf.tidy(() => answer(drop(x, rate, seed)));
    },
    vjp(x, rate, training, seed, dy) {
      checkRate(rate);
      if (!training) return new Float32Array(dy);
      return tf.tidy(() =>
        answer(
          tf.grad((t) => tf.dropout(t, rate, undefined, seed))(
            tf.tensor1d(new Float32Array(x)),
            tf.tensor1d(new Float32Array(dy)),
          ),
        ),
      );
    },
  };
}

/**
 * The layer `tf.layers.dropout({ rate, seed })` applied in training mode (`{ training: true }`) and
 * at inference (`{ training: false }`). A layer is built per call, since its seed is fixed when it is made.
 */
export function tfLayersDropout(tf: TfLike): DropoutCandidate {
  const layers = tf.layers;
  if (!layers)
    throw new TypeError(
      'tfLayersDropout: expected the @tensorflow/tfjs package (with layers), got a tf without layers',
    );
  return {
    name: `tf.layers.dropout (TF.js, ${tf.getBackend()} backend)`,
    convention: 'inverted',
    precision: 'float32',
    forward(x, rate, training, seed) {
      checkRate(rate);
      return tf.tidy(() =>
        answer(layers.dropout({ rate, seed }).apply(tf.tensor1d(new Float32Array(x)), { training }) as TensorLike),
      );
    },
  };
}
