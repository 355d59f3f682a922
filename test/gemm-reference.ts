// The naive triple loop the gemm kernels are checked against: each element 0 + Σ_p a·b in increasing p.
export function naiveGemm(ta: boolean, tb: boolean, m: number, n: number, k: number, A: Float64Array, B: Float64Array): Float64Array {
  const C = new Float64Array(m * n);
  for (let i = 0; i < m; i++)
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) s += (ta ? A[p * m + i] : A[i * k + p]) * (tb ? B[j * k + p] : B[p * n + j]);
      C[i * n + j] = s;
    }
  return C;
}
