// The candidate interface: checked member by member, timeouts, throws and malformed answers judged
// by the properties they break (moved from audit.test.ts).
import { describe, expect, it } from 'vitest';
import {
  type DropoutCandidate,
  CandidateError,
  WHEN_READY,
  auditDropout,
  checkCandidate,
  engineCandidate,
} from '../../src/verify/audit/index.ts';
import inverted from '../support/candidates/correct/inverted.ts';
import { QUICK } from '../support/audit-options.ts';

describe('the candidate interface', () => {
  const forward = (x: Float64Array) => x.slice();
  it.each([
    [null, /expected an object \{ name, convention, forward, vjp\? \}, got null/],
    [{ convention: 'inverted', forward }, /expected name to be a non-empty string, got undefined/],
    [{ name: '', convention: 'inverted', forward }, /expected name to be a non-empty string, got ""/],
    [
      { name: 'a', convention: 'standard', forward },
      /expected convention to be 'inverted' or 'scale-at-inference', got "standard"/,
    ],
    [
      { name: 'a', convention: 'inverted' },
      /expected forward to be a function \(x, rate, training, seed\) => Float64Array, got undefined/,
    ],
    [{ name: 'a', convention: 'inverted', forward, vjp: 3 }, /expected vjp to be a function .* or absent, got 3/],
  ])('refuses %o', (c, message) => {
    expect(() => checkCandidate(c)).toThrow(CandidateError);
    expect(() => checkCandidate(c)).toThrow(message);
  });

  it("the engine's own dropout is offered in the inverted convention unless another is asked for", () => {
    expect(engineCandidate().convention).toBe('inverted');
    expect(engineCandidate('scale-at-inference').convention).toBe('scale-at-inference');
  });
  it('auditDropout refuses a non-candidate before calling anything', async () => {
    await expect(auditDropout({ name: 'a' } as unknown as DropoutCandidate)).rejects.toThrow(/expected convention/);
  });

  it('a call that never answers fails its property with a timeout, the others still judged', async () => {
    const hangsAtRateOne: DropoutCandidate = {
      ...inverted,
      name: 'hangs at rate 1',
      forward: (x, rate, training, seed) =>
        rate === 1 ? new Promise<Float64Array>(() => {}) : inverted.forward(x, rate, training, seed),
    };
    const r = await auditDropout(hangsAtRateOne, { ...QUICK, timeoutMs: 50 });
    const failed = r.properties.filter((p) => p.verdict === 'fail');
    expect(failed.map((p) => p.id)).toEqual(['rate-one']);
    expect(failed[0].evidence).toMatch(/rate 1, training true.*did not answer within 50 ms/);
  });

  it('WHEN_READY is awaited before each call, outside its time; when it rejects, the call fails with why', async () => {
    // the first 10 calls wait 20 ms for their candidate, longer than their 5 ms
    let waits = 0;
    const slowToReady = {
      ...inverted,
      name: 'ready after 20 ms',
      [WHEN_READY]: () => new Promise<void>((resolve) => setTimeout(resolve, waits++ < 10 ? 20 : 0)),
    };
    const r = await auditDropout(slowToReady, { ...QUICK, timeoutMs: 5 });
    expect(r.properties.filter((p) => p.verdict === 'fail')).toEqual([]);
    expect(waits).toBe(r.calls);
    const failsToStart = {
      ...inverted,
      name: 'cannot reconnect',
      forward: (x: Float64Array, rate: number, training: boolean, seed: number) =>
        rate === 0.5 && training ? x : inverted.forward(x, rate, training, seed),
      [WHEN_READY]: async () => {
        throw new Error('connection refused');
      },
    };
    const q = await auditDropout(failsToStart, QUICK);
    expect(q.properties.find((p) => p.id === 'inference')!.evidence).toMatch(
      /^forward\(x of length \d+, .*\): could not start: Error: connection refused/,
    );
    // not starting is no refusal of a bad rate: 'invalid-rates' wants the call itself to throw
    const invalid = q.properties.find((p) => p.id === 'invalid-rates')!;
    expect([invalid.verdict, invalid.evidence]).toEqual([
      'fail',
      expect.stringMatching(/could not start: Error: connection refused, instead of throwing/),
    ]);
  });

  it('a candidate may refuse non-finite input with an error; answering badly for it fails', async () => {
    const finite = (x: Float64Array) => x.every(Number.isFinite);
    const refuses: DropoutCandidate = {
      ...inverted,
      name: 'refuses NaN',
      forward: (x, r, t, s) => {
        if (!finite(x)) throw new RangeError('x must be finite');
        return inverted.forward(x, r, t, s);
      },
    };
    const r = await auditDropout(refuses, QUICK);
    const nf = r.properties.find((p) => p.id === 'non-finite-inputs');
    expect(nf?.verdict).toBe('pass');
    expect(nf?.evidence).toMatch(/21 calls refused non-finite input with an error \(allowed\)/);
    const short: DropoutCandidate = {
      ...inverted,
      name: 'short answer for NaN',
      forward: (x, r, t, s) => (finite(x) ? inverted.forward(x, r, t, s) : new Float64Array(1)),
    };
    const q = await auditDropout(short, QUICK);
    expect(q.properties.filter((p) => p.verdict === 'fail').map((p) => p.id)).toEqual([
      'non-finite-inputs',
      'output-shape',
    ]);
  });

  it('a candidate that throws at inference fails inference and expectation, naming the thrown value', async () => {
    const c: DropoutCandidate = {
      ...inverted,
      name: 'throws at inference',
      forward: (x, r, t, s) => {
        if (!t && r > 0) throw 'no inference mode';
        return inverted.forward(x, r, t, s);
      },
    };
    const r = await auditDropout(c, QUICK);
    const failed = r.properties.filter((p) => p.verdict === 'fail');
    expect(failed.map((p) => p.id)).toEqual([
      'inference',
      'expectation',
      'vjp-mask',
      'vjp-finite-differences',
      'non-finite-inputs',
    ]);
    expect(failed[1].evidence).toMatch(/training false.*threw "no inference mode"/);
  });

  it('a candidate whose training calls throw fails every statistical property with the error', async () => {
    const c: DropoutCandidate = {
      ...inverted,
      name: 'no training mode',
      forward: (x, r, t, s) => {
        if (t && r > 0 && r < 1) throw new Error('not implemented');
        return inverted.forward(x, r, t, s);
      },
    };
    const r = await auditDropout(c, QUICK);
    const v = Object.fromEntries(r.properties.map((p) => [p.id, p]));
    for (const id of [
      'drop-frequency',
      'expectation',
      'independent-neighbours',
      'independent-of-values',
      'independent-seeds',
      'no-short-period',
    ]) {
      expect(v[id].verdict, id).toBe('fail');
      expect(v[id].evidence, id).toMatch(/training true.*threw Error: not implemented/);
    }
  });

  it('answers of the wrong type are malformed, not crashes', async () => {
    const returnsString: DropoutCandidate = {
      ...inverted,
      name: 'returns a string',
      forward: () => 'zeros' as unknown as Float64Array,
    };
    const r = await auditDropout(returnsString, { ...QUICK, timeoutMs: 1000 });
    const shape = r.properties.find((p) => p.id === 'output-shape');
    expect(shape?.verdict).toBe('fail');
    expect(shape?.evidence).toMatch(/returned "zeros", expected a Float64Array or Float32Array of length 1/);
  });
});
