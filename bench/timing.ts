// Timing helpers: warm-up, then repetitions; medians and spreads. The machine is shared and noisy,
// so every comparison is a ratio of medians measured in the same process, interleaved where cheap.

export interface Sample {
  /** Per-repetition values, in the unit of the measurement. */
  values: number[];
  median: number;
  /** Lower and upper quartile (or min and max for fewer than 8 repetitions). */
  lo: number;
  hi: number;
}

export function summarize(values: number[]): Sample {
  const s = [...values].sort((a, b) => a - b);
  const q = (f: number) => s[Math.min(s.length - 1, Math.max(0, Math.round(f * (s.length - 1))))];
  const mid = s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  return s.length >= 8
    ? { values, median: mid, lo: q(0.25), hi: q(0.75) }
    : { values, median: mid, lo: s[0], hi: s[s.length - 1] };
}

/** Milliseconds per call of fn (each repetition runs it `inner` times). */
export function timeMs(fn: () => void, reps: number, warmup = 2, inner = 1): Sample {
  for (let i = 0; i < warmup; i++) for (let j = 0; j < inner; j++) fn();
  const out: number[] = [];
  for (let r = 0; r < reps; r++) {
    const t = performance.now();
    for (let j = 0; j < inner; j++) fn();
    out.push((performance.now() - t) / inner);
  }
  return summarize(out);
}

/** Several functions timed round-robin, so load that comes and goes hits each alike. */
export function timeInterleaved(fns: Record<string, () => void>, reps: number, warmup = 2): Record<string, Sample> {
  const names = Object.keys(fns);
  for (let i = 0; i < warmup; i++) for (const n of names) fns[n]();
  const out: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
  for (let r = 0; r < reps; r++) {
    for (const n of names) {
      const t = performance.now();
      fns[n]();
      out[n].push(performance.now() - t);
    }
  }
  return Object.fromEntries(names.map((n) => [n, summarize(out[n])]));
}

/** A sample of times (ms) as a sample of rates: work / time. */
export const rate = (s: Sample, work: number): Sample => summarize(s.values.map((ms) => work / ms));
