// How the audit calls a candidate (copies in, answers checked, a timer that does not outlive the call)
// and how it reads a result back: the pieces under every property, tested one call at a time.
import { describe, expect, it } from 'vitest';
import { CandidateError, Caller, checkCandidate, describeCall } from '../../src/verify/audit/candidate.ts';
import {
  type DropoutCandidate,
  auditDropout,
  engineCandidate,
  formatJson,
  formatMarkdown,
} from '../../src/verify/audit/index.ts';
import { main } from '../../src/cli/dropcheck.ts';

const args = { rate: 0.5, training: true, seed: 7 };
const candidate = (forward: DropoutCandidate['forward'], vjp?: DropoutCandidate['vjp']): DropoutCandidate => ({
  name: 't',
  convention: 'inverted',
  forward,
  ...(vjp ? { vjp } : {}),
});
const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;

describe('Caller', () => {
  it('accepts arrays and typed arrays of numbers as answers; anything else, or a wrong length, is malformed and not a throw', async () => {
    const x = new Float64Array([1, 2, 3]);
    const ok = await new Caller(
      candidate((v) => [...v] as never),
      1000,
    ).forward(x, args);
    expect(ok).toEqual({ ok: true, y: new Float64Array([1, 2, 3]) });
    expect(
      (
        await new Caller(
          candidate((v) => Float32Array.from(v) as never),
          1000,
        ).forward(x, args)
      ).ok,
    ).toBe(true);
    for (const bad of [
      [1, 2, '3'],
      [1, 'x', 3],
      new DataView(new ArrayBuffer(24)),
      new BigInt64Array(3),
      new BigUint64Array(3),
    ]) {
      const c = new Caller(
        candidate(() => bad as never),
        1000,
      );
      const r = await c.forward(x, args);
      expect(r).toMatchObject({ ok: false, threw: false });
      expect(c.malformed).toHaveLength(1);
    }
    const short = await new Caller(
      candidate(() => new Float64Array(2)),
      1000,
    ).forward(x, args);
    expect(short).toEqual({ ok: false, threw: false, reason: 'returned 2 values for an input of length 3' });
  });

  it('hands the candidate copies and names which argument it changed, bit for bit (−0 over 0 counts)', async () => {
    const x = new Float64Array([0, 2]),
      dy = new Float64Array([0, 5]);
    const c = new Caller(
      candidate(
        (v) => v,
        (v, _r, _t, _s, d) => {
          v[0] = -0;
          d[1] = 6;
          return d;
        },
      ),
      1000,
    );
    await c.vjp(x, args, dy);
    expect(c.mutations.map((m) => m.detail)).toEqual(['x[0] was 0, became -0', 'dy[1] was 5, became 6']);
    expect(c.mutations[0].call).toBe(describeCall('vjp', { ...args, length: 2 }));
    expect([...x, ...dy]).toEqual([0, 2, 0, 5]);
    expect(Object.is(x[0], 0)).toBe(true);
    expect(() =>
      new Caller(
        candidate((v) => v),
        1000,
      ).vjp(x, args, dy),
    ).toThrow('Caller.vjp: the candidate has no vjp');
  });

  it('clears its timer when the answer comes first', async () => {
    const before = timers();
    const c = new Caller(
      candidate((v) => v),
      60_000,
    );
    await c.forward(new Float64Array(1), args);
    await new Promise((r) => setImmediate(r));
    expect(timers()).toBe(before);
  });

  it('describes calls, and names the candidate when its interface is wrong', () => {
    expect(describeCall('forward', { ...args, length: 4 })).toBe(
      'forward(x of length 4, rate 0.5, training true, seed 7)',
    );
    expect(describeCall('vjp', { ...args, length: 4 })).toBe('vjp(x of length 4, rate 0.5, training true, seed 7, dy)');
    const e = (() => {
      try {
        checkCandidate(null);
      } catch (err) {
        return err as Error;
      }
    })();
    expect(e).toBeInstanceOf(CandidateError);
    expect(e!.name).toBe('CandidateError');
    expect(e!.message).toMatch(/^the candidate: expected an object \{ name, convention, forward, vjp\? \}, got null/);
    expect(engineCandidate().convention).toBe('inverted');
  });
});

describe('formatting a result', () => {
  it('refuses what is not a result, naming the function', () => {
    // a function carrying a result's members is still not a result
    for (const bad of [
      null,
      3,
      {},
      { properties: [] },
      { options: {} },
      { properties: {}, options: {} },
      Object.assign(() => 0, { properties: [], options: {} }),
    ]) {
      expect(() => formatMarkdown(bad as never)).toThrow(/^formatMarkdown: expected the result of auditDropout, got /);
      expect(() => formatJson(bad as never)).toThrow(/^formatJson: expected the result of auditDropout, got /);
    }
  });

  it('JSON ends with a newline; the markdown gives the wall time unless asked not to', async () => {
    const t0 = performance.now();
    const r = await auditDropout(engineCandidate(), {
      alpha: 1e-3,
      rateError: 0.1,
      scaleError: 0.1,
      dependence: 0.2,
      power: 0.9,
    });
    expect(r.ms).toBeGreaterThan(0);
    expect(r.ms).toBeLessThanOrEqual(performance.now() - t0); // the audit's own wall time
    expect(formatJson(r)).toMatch(/\}\n$/);
    expect(JSON.parse(formatJson(r)).ok).toBe(true);
    expect(formatMarkdown(r)).toContain(` elements, ${(r.ms / 1000).toFixed(1)} s.`);
    expect(formatMarkdown(r, undefined, { timing: false })).not.toMatch(/ elements, [\d.]+ s\./);
    // a result saved before audits stated their precision was judged in float64
    const { precision: _, ...older } = r;
    expect(formatMarkdown(older as never)).toMatch(/^# Dropout audit: .* \(inverted, float64 arithmetic\)\n/);
  });
});

describe('the command line', () => {
  it('refuses a blank number', async () => {
    let err = '';
    const code = await main(['audit', 'a.ts', '--seed', ' '], { out: () => {}, err: (s) => (err += s) });
    expect(code).toBe(2);
    expect(err).toContain('--seed expects a number, got " "');
  });
});
