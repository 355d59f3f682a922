// Tuning the MNIST networks' hyperparameters on the 10,000 validation digits (never the test digits):
// a small stated grid per arm, one seed, a shortened budget. `npm start -- --tune` runs it, writes
// reports/tuning.md and experiments/mnist/tuned.json; the standard profile then trains with the chosen values.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type ClassifierResult, classifierCost, trainClassifier } from './classifier.ts';
import type { Pool, Profile, RunRecord, Setting } from '../framework/experiment.ts';
import { type Arm, armConfig } from './networks.ts';
import { type ArmTuning, TUNING_FILE } from './tuned.ts';

/** The grid: learning rates for every arm, and the regularizer's strength for the arms that have one. */
export const GRID = { lr: [0.05, 0.1], c: [1.5, 2, 3], l2: [1e-5, 1e-4, 1e-3] } as const;
/** Tuned arms (Gaussian noise takes Bernoulli's values: same mean and variance). */
export const TUNED_ARMS: readonly Arm[] = ['plain', 'l2', 'max-norm', 'dropout+l2', 'dropout+max-norm'];
/** The budget of a tuning run, as a fraction of the standard profile's epochs. */
export const TUNE_FRACTION = 0.5;

interface S extends Setting {
  arm: Arm;
  values: ArmTuning;
}

function settings(_p: Profile): S[] {
  return TUNED_ARMS.flatMap((arm) =>
    GRID.lr.flatMap((lr) => {
      const strengths: Partial<ArmTuning>[] = arm.endsWith('max-norm')
        ? GRID.c.map((c) => ({ c }))
        : arm.endsWith('l2')
          ? GRID.l2.map((l2) => ({ l2 }))
          : [{}];
      return strengths.map((st) => ({
        name: `${arm} lr=${lr}${st.c ? ` c=${st.c}` : ''}${st.l2 ? ` λ=${st.l2}` : ''}`,
        arm,
        values: { lr, ...st },
      }));
    }),
  );
}

const config = (p: Profile, s: S) => {
  const c = armConfig(p, s.arm, {}, s.values);
  const { mc: _mc, ...rest } = c; // Monte-Carlo averages belong to the test digits
  return {
    ...rest,
    steps: Math.max(1, Math.round(c.steps * TUNE_FRACTION)),
    evalEvery: 0,
    evalOn: 'validation' as const,
  };
};

export const mnistTune: Pool<S, ClassifierResult> = {
  id: 'MNIST-TUNE',
  plan: (p) => ({ settings: settings(p), seeds: 1 }),
  cost: (s, p) => classifierCost(config(p, s)),
  run: (s, _seed, ctx) => {
    const { testError, trainError } = trainClassifier(config(ctx.profile, s), ctx);
    return { testError, trainError, curve: [] };
  },
};

/** The lowest validation error per arm (ties: the earlier grid point), written as tuned.json and a report. */
export function writeTuning(
  runs: RunRecord<ClassifierResult>[],
  p: Profile,
  out: string,
  file: string,
  provenance: string,
): void {
  const byArm = new Map<Arm, { s: S; err: number }[]>();
  const grid = settings(p);
  for (const s of grid) {
    const r = runs.find((x) => x.setting === s.name);
    if (r) byArm.set(s.arm, [...(byArm.get(s.arm) ?? []), { s, err: r.result.testError }]);
  }
  const chosen = Object.fromEntries(
    [...byArm].map(([arm, rs]) => [arm, rs.reduce((a, b) => (b.err < a.err ? b : a)).s.values]),
  );
  writeFileSync(file, JSON.stringify({ profile: p, chosen, provenance }, null, 1) + '\n');
  const rows = [...byArm].flatMap(([arm, rs]) =>
    rs.map(
      ({ s, err }) =>
        `| ${arm} | ${s.values.lr} | ${s.values.c ?? '—'} | ${s.values.l2 ?? '—'} | ${err.toFixed(2)} | ${s.values === chosen[arm] ? '**chosen**' : ''} |`,
    ),
  );
  writeFileSync(
    join(out, 'tuning.md'),
    `# Tuning the MNIST networks on the validation digits

Every arm of the ${p} profile's networks (X-OVERFIT, M-K50, X-GAUSS, X-MAXNORM, X-SIZE, X-UNDERFIT)
trained once per grid point, for ${100 * TUNE_FRACTION}% of its ${p}-profile budget, and measured on the 10,000 validation
digits held out of the training digits (never on the test digits). Per arm the grid point with the
lowest validation error is chosen (ties: the earlier one); Gaussian noise takes Bernoulli dropout's
values. Max-norm c is stated in the paper's convention (radius keep·c on the inverted-convention
weights). Grid: learning rate ${GRID.lr.join(', ')}; c ${GRID.c.join(', ')}; λ ${GRID.l2.join(', ')}.

| arm | learning rate | c | λ | validation error % | |
|---|---|---|---|---|---|
${rows.join('\n')}

Chosen values are in \`${file}\`${file === TUNING_FILE ? `; the ${p} profile trains with them` : ' (a trial: only experiments/mnist/tuned.json from the standard profile is used)'}.

${provenance}
`,
  );
}
