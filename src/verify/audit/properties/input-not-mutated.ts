// Property 'input-not-mutated' (exact): no call of the candidate changed its x or dy (the guarded
// caller passes it copies and compares them with the originals after each call).
import type { Check } from '../context.ts';
import { incidents } from '../check-helpers.ts';

export const inputNotMutated: Check = async (b) =>
  incidents(b.caller.mutations, b.caller.calls, 'no call changed x or dy');
