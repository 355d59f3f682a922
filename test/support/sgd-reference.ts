// The SGD-with-momentum update as src/nn/optim.ts defines it, written out in plain JS: the reference
// the WebAssembly update kernel is held to bit for bit.

type Arr = Float64Array | Float32Array;

/** v = momentum·v0 + g + decay·w and out = w − lr·v, element by element, in float64 arithmetic, stored in the arrays' type. */
export function sgdReference(w: Arr, g: Arr, v0: Arr, lr: number, momentum: number, decay: number) {
  const T = w instanceof Float32Array ? Float32Array : Float64Array;
  const v = new T(w.length),
    out = new T(w.length);
  for (let j = 0; j < w.length; j++) {
    const vj = momentum * v0[j] + g[j] + decay * w[j];
    v[j] = vj;
    out[j] = w[j] - lr * vj;
  }
  return { v, out };
}
