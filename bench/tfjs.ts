// The same workloads in TensorFlow.js (float32: TF.js has no float64), on its cpu backend and on
// its WebAssembly backend with SIMD, in this process. The MLP step is measured as users write it
// (optimizer.minimize, whose backward pass multiplies by transposed matrices) and tuned (the
// backward pass written out with every transpose materialised first, so each matMul is a plain one).
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';

export type Backend = 'cpu' | 'wasm';

export async function useBackend(b: Backend): Promise<{ simd: boolean; threads: boolean }> {
  if (b === 'wasm') {
    // the backend's .wasm files ship in its dist folder; a file path prefix loads them in Node
    const dist = dirname(
      createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm'),
    );
    setWasmPaths(dist + '/');
  }
  if (!(await tf.setBackend(b))) throw new Error(`TF.js backend ${b} did not start`);
  await tf.ready();
  return {
    simd: b === 'wasm' && tf.env().getBool('WASM_HAS_SIMD_SUPPORT') === true,
    threads: b === 'wasm' && tf.env().getBool('WASM_HAS_MULTITHREAD_SUPPORT') === true,
  };
}

/** One n×n matMul, the result read back. */
export function matmul(n: number): () => void {
  const a = tf.randomUniform([n, n], -1, 1, 'float32', 1);
  const b = tf.randomUniform([n, n], -1, 1, 'float32', 2);
  return () => void tf.tidy(() => tf.matMul(a, b).dataSync());
}

/** `calls` grads of sum(x·x + x) at 4 elements, each gradient read back. */
export function tinyGrad(calls: number): () => void {
  const x = tf.tensor1d([1, 2, 3, 4]);
  const g = tf.grad((v: tf.Tensor) => v.mul(v).add(v).sum());
  return () => {
    for (let i = 0; i < calls; i++) tf.tidy(() => g(x).dataSync());
  };
}

export interface StepSetup {
  sizes: readonly number[];
  batch: number;
  inputRate: number;
  hiddenRate: number;
  lr: number;
  momentum: number;
}

let models = 0;

/** One SGD step of the dropout MLP (He-normal weights, ReLU, softmax cross-entropy), the loss read back. */
export function mlpStep(setup: StepSetup, mode: 'stock' | 'tuned'): () => void {
  const { sizes, batch, inputRate, hiddenRate, lr, momentum } = setup;
  const L = sizes.length - 1;
  const tag = `${mode}${++models}`; // variable names are global in TF.js
  const W = Array.from({ length: L }, (_, i) =>
    tf.variable(
      tf.randomNormal([sizes[i], sizes[i + 1]], 0, Math.sqrt(2 / sizes[i]), 'float32', 10 + i),
      true,
      `${tag}W${i}`,
    ),
  );
  const b = Array.from({ length: L }, (_, i) => tf.variable(tf.zeros([sizes[i + 1]]), true, `${tag}b${i}`));
  const x = tf.randomUniform([batch, sizes[0]], 0, 1, 'float32', 4);
  const onehot = tf.oneHot(
    tf.tensor1d(
      Array.from({ length: batch }, (_, i) => i % sizes[L]),
      'int32',
    ),
    sizes[L],
  );
  const opt = tf.train.momentum(lr, momentum);
  let seed = 100;
  const rates = [inputRate, ...new Array<number>(L - 1).fill(hiddenRate)];
  // inverted dropout with an explicit mask, so the tuned backward pass can reuse it
  const mask = (shape: number[], rate: number) =>
    tf
      .randomUniform(shape, 0, 1, 'float32', seed++)
      .greaterEqual(rate)
      .cast('float32')
      .div(1 - rate);

  const stock = () => {
    const loss = opt.minimize(() => {
      let h: tf.Tensor = tf.dropout(x, rates[0], undefined, seed++);
      for (let i = 0; i < L; i++) {
        h = tf.add(tf.matMul(h, W[i]), b[i]);
        if (i < L - 1) h = tf.dropout(tf.relu(h), rates[i + 1], undefined, seed++);
      }
      return tf.losses.softmaxCrossEntropy(onehot, h) as tf.Scalar;
    }, true);
    loss!.dataSync();
    loss!.dispose();
  };

  const tuned = () => {
    const lossValue = tf.tidy(() => {
      // forward, keeping what the backward pass needs
      const hs: tf.Tensor[] = [];
      const ms: tf.Tensor[] = [];
      const zs: tf.Tensor[] = [];
      ms.push(mask([batch, sizes[0]], rates[0]));
      let h = tf.mul(x, ms[0]);
      for (let i = 0; i < L; i++) {
        hs.push(h);
        const z = tf.add(tf.matMul(h, W[i]), b[i]);
        zs.push(z);
        if (i < L - 1) {
          ms.push(mask([batch, sizes[i + 1]], rates[i + 1]));
          h = tf.mul(tf.relu(z), ms[i + 1]);
        } else h = z;
      }
      const loss = tf.losses.softmaxCrossEntropy(onehot, h);
      // backward by hand: dW = hᵀ·g and dh = g·Wᵀ with the transposes materialised
      let g = tf.div(tf.sub(tf.softmax(h), onehot), batch);
      const grads: Record<string, tf.Tensor> = {};
      for (let i = L - 1; i >= 0; i--) {
        grads[W[i].name] = tf.matMul(tf.transpose(hs[i]), g);
        grads[b[i].name] = tf.sum(g, 0);
        if (i > 0) g = tf.mul(tf.mul(tf.matMul(g, tf.transpose(W[i])), ms[i]), tf.step(zs[i - 1]));
      }
      opt.applyGradients(grads as never); // {variable name: gradient}
      return loss;
    });
    lossValue.dataSync();
    lossValue.dispose();
  };

  return mode === 'stock' ? stock : tuned;
}
