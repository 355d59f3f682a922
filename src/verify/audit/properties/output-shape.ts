// Property 'output-shape' (exact): every answer of the candidate was an array of numbers of x's length
// (the guarded caller logs any that was not).
import type { Check } from '../context.ts';
import { incidents } from '../check-helpers.ts';

export const outputShape: Check = async (b) =>
  incidents(b.caller.malformed, b.caller.calls, "every answer was an array of numbers of x's length");
