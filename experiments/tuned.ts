// Hyperparameters of the MNIST networks (learning rate, max-norm c in the paper's convention, L2 λ)
// per profile. The standard profile's are chosen on the 10,000 validation digits by `npm start --
// --tune` (see reports/tuning.md); until a tuning run is committed, and for the other profiles, they
// are the values a pilot run found: lr 0.05, the paper's c = 2, λ = 1e-4.
import type { Profile } from './framework.ts';

export interface Tuned { lr: number; c: number; l2: number; source: string }

const PILOT: Tuned = { lr: 0.05, c: 2, l2: 1e-4, source: 'pilot values (learning rate from a pilot run, c the paper\'s, λ a common choice); not tuned on the validation set' };

export const TUNED: Record<Profile, Tuned> = { quick: PILOT, standard: PILOT, large: PILOT, paper: PILOT };
