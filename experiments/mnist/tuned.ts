// Hyperparameters of the MNIST networks: learning rate, max-norm c (the paper's convention) and L2
// λ, per arm. The standard profile uses the values `npm start -- --tune` chose on the validation
// digits (experiments/mnist/tuned.json, reports/tuning.md); until a tuning run is committed, and in the
// other profiles, the pilot values below.
import { existsSync, readFileSync } from 'node:fs';
import type { Profile } from '../framework/experiment.ts';

export interface ArmTuning {
  lr: number;
  c?: number;
  l2?: number;
}
export interface Tuned {
  lr: number;
  c: number;
  l2: number;
  source: string;
  arms?: Partial<Record<string, ArmTuning>>;
}

export const TUNING_FILE = 'experiments/mnist/tuned.json';

const PILOT: Tuned = {
  lr: 0.05,
  c: 2,
  l2: 1e-4,
  source:
    "pilot values (learning rate 0.05 from a pilot run, the paper's c = 2, λ = 1e-4), not tuned on the validation digits",
};

function standard(): Tuned {
  const file = new URL('./tuned.json', import.meta.url);
  if (!existsSync(file)) return PILOT;
  const t = JSON.parse(readFileSync(file, 'utf8')) as {
    profile: Profile;
    chosen: Record<string, ArmTuning>;
    provenance: string;
  };
  if (t.profile !== 'standard')
    throw new Error(
      `${TUNING_FILE} holds values tuned for the ${t.profile} profile; only the standard profile's belong there (rerun npm start -- --tune)`,
    );
  return {
    ...PILOT,
    arms: { ...t.chosen, 'gaussian+max-norm': t.chosen['dropout+max-norm'] },
    source: 'per arm, chosen on the 10,000 validation digits by `npm start -- --tune` (see tuning.md)',
  };
}

export const TUNED: Record<Profile, Tuned> = { quick: PILOT, standard: standard(), large: PILOT, paper: PILOT };
