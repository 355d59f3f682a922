// Property 'non-finite-inputs' (exact): NaN and ±Infinity planted in x leave every other element's
// output unchanged; refusing such input with an error is allowed.
import type { Check } from '../context.ts';
import { count, exactResult, failedCall, firstBad } from '../check-helpers.ts';
import { firstMismatch } from '../scan.ts';

export const nonFinite: Check = async (b) => {
  let elements = 0,
    refused = 0,
    planted = 0;
  for (const length of [16, 64, 10_000]) {
    const clean = b.input(length, 'stat', 16);
    const dirty = clean.slice();
    const special = [NaN, Infinity, -Infinity];
    const at: number[] = [];
    for (let i = 3, j = 0; i < length; i += length > 100 ? 97 : 5, j++) {
      dirty[i] = special[j % 3];
      at.push(i);
    }
    const isSpecial = new Uint8Array(length);
    for (const i of at) isSpecial[i] = 1;
    for (const [j, [rate, training]] of (
      [[0.3, true], [0.5, true], [0.3, false], ...b.drawn.map((r) => [r, true])] as [number, boolean][]
    ).entries()) {
      const args = { rate, training, seed: b.seed(800 + j) };
      const ref = await b.caller.forward(clean, args);
      const ref2 = await b.caller.forward(clean, args);
      if (!ref.ok) return exactResult(elements, failedCall('forward', clean, args, ref.reason));
      if (!ref2.ok || firstMismatch(ref2.y, ref.y, 'bits') >= 0)
        return {
          ...exactResult(elements, 'cannot be judged: the same call gives different outputs (see "reproducible")'),
          verdict: 'not judged',
          power: '—',
        };
      const r = await b.caller.forward(dirty, args);
      if (!r.ok) {
        if (r.threw) {
          refused++;
          continue;
        }
        return exactResult(elements, failedCall('forward', dirty, args, r.reason));
      }
      ((elements += length), (planted += at.length));
      const bad = firstBad(r.y, ref.y, 'same', isSpecial);
      if (bad)
        return exactResult(
          elements,
          failedCall('forward', dirty, args, bad.got, {
            index: bad.index,
            expected: `${bad.expected}, as without the NaN/±Infinity at indices ${at.slice(0, 4).join(', ')}${at.length > 4 ? ', …' : ''}`,
          }),
        );
    }
  }
  const also = refused ? `; ${refused} calls refused non-finite input with an error (allowed)` : '';
  return exactResult(
    elements,
    `NaN and ±Infinity in x leave every other element's output unchanged (${count(elements)} elements, ${count(planted)} of them NaN or ±Infinity${also})`,
  );
};
