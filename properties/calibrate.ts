// Calibration: reruns every stochastic check on many seeds and reports the observed failures next
// to what its α allows. Run: npm run calibrate -- --seeds 1000
import { mkdirSync, writeFileSync } from 'node:fs';
import { STOCHASTIC } from './stochastic.ts';

const arg = process.argv.indexOf('--seeds');
const seeds = arg >= 0 ? Number(process.argv[arg + 1]) : 1000;
if (!Number.isSafeInteger(seeds) || seeds < 1) throw new Error(`--seeds must be a positive integer, got ${process.argv[arg + 1]}`);
const first = 1_000_000; // seeds first .. first + seeds − 1, away from the suite's default

const rows = STOCHASTIC.map((c) => {
  const t = performance.now();
  let failures = 0;
  let worst = 0;
  const failing: number[] = [];
  for (let s = first; s < first + seeds; s++) {
    const r = c.run(s);
    worst = Math.max(worst, r.observed / r.radius);
    if (!r.ok) {
      failures++;
      if (failing.length < 5) failing.push(s);
    }
  }
  const row = { claims: c.claims.join(', '), name: c.name, alpha: c.alpha, bound: c.bound, seeds, failures, expected: c.alpha * seeds, worstRatio: worst, failing, seconds: (performance.now() - t) / 1000 };
  console.log(JSON.stringify(row));
  return row;
});

const anyFail = rows.some((r) => r.failures > 0);
const md = `# Calibration of the stochastic checks

Each stochastic check of the property suite, rerun on ${seeds} seeds (${first} … ${first + seeds - 1}). On a correct
implementation a check fails with probability at most α, so over ${seeds} seeds the chance of
seeing any failure is at most ${seeds}·α; the expected count is 0.

| claims | check | α | bound | seeds | failures | expected (α·seeds) | largest deviation / radius | time |
|---|---|---|---|---|---|---|---|---|
${rows.map((r) => `| ${r.claims} | ${r.name} | ${r.alpha.toExponential(1)} | ${r.bound} | ${r.seeds} | ${r.failures}${r.failing.length ? ` (seeds ${r.failing.join(', ')})` : ''} | ${r.expected.toExponential(1)} | ${r.worstRatio.toFixed(3)} | ${r.seconds.toFixed(1)} s |`).join('\n')}

"Largest deviation / radius" below 1 everywhere means no seed came near failing; a check whose
ratio sits close to 1 is tight. Reproduce: \`npm run calibrate -- --seeds ${seeds}\`.
`;
mkdirSync('reports', { recursive: true });
writeFileSync('reports/calibration.md', md);
console.log(`calibration: ${rows.reduce((s, r) => s + r.failures, 0)} failures over ${rows.length} checks × ${seeds} seeds → reports/calibration.md`);
if (anyFail) process.exit(1);
