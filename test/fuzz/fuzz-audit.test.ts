// Malformed candidates and command lines for the audit: whatever a candidate module exports and
// however its calls misbehave (throw, answer late or never, answer the wrong type or length, write
// into their inputs), the audit reports it clearly and keeps going; whatever the command line says,
// `dropcheck` exits with a status and a message, never an uncaught error.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/dropcheck.ts';
import { CandidateError, type DropoutCandidate, auditDropout, checkCandidate } from '../../src/index.ts';
import { Caller } from '../../src/verify/audit/candidate.ts';
import { anyValue, snapshot, sameSnapshot, unclear } from '../support/fuzz-pool.ts';
import { QUICK } from '../support/audit-options.ts';

const here = (p: string) => new URL(p, import.meta.url).pathname;
const identity = (x: Float64Array) => x.slice();

describe('checkCandidate: any value', () => {
  const member = fc.oneof(
    anyValue,
    fc.constantFrom(identity, async (x: Float64Array) => x.slice()),
  );
  const candidateLike = fc.record(
    {
      name: fc.oneof(fc.constant('c'), anyValue),
      convention: fc.oneof(fc.constantFrom('inverted', 'scale-at-inference'), anyValue),
      forward: member,
      vjp: member,
    },
    { requiredKeys: [] },
  );

  it('accepts exactly the objects offering the interface; otherwise a CandidateError naming the member', () => {
    fc.assert(
      fc.property(fc.oneof(candidateLike, anyValue), (c) => {
        const before = snapshot(c);
        const o = (c ?? {}) as Record<string, unknown>;
        const valid =
          c !== null &&
          typeof c === 'object' &&
          typeof o.name === 'string' &&
          o.name !== '' &&
          (o.convention === 'inverted' || o.convention === 'scale-at-inference') &&
          typeof o.forward === 'function' &&
          (o.vjp === undefined || typeof o.vjp === 'function');
        let error: unknown;
        try {
          expect(checkCandidate(c, 'm.ts')).toBe(c);
        } catch (e) {
          error = e;
        }
        expect(sameSnapshot(before, snapshot(c))).toBe(true);
        if (valid) {
          expect(error).toBeUndefined();
          return;
        }
        expect(error).toBeInstanceOf(CandidateError);
        const msg = (error as Error).message;
        expect(msg).toMatch(
          /^m\.ts: expected (an object \{ name, convention, forward, vjp\? \}|name|convention|forward|vjp)[ ,]/,
        );
        expect(unclear(error)).toBeNull();
      }),
      { numRuns: 300 },
    );
  });
});

// How one call of a fuzzed candidate misbehaves.
type Behaviour =
  | { kind: 'ok' }
  | { kind: 'async ok' }
  | { kind: 'length'; delta: number }
  | { kind: 'returns'; value: unknown }
  | { kind: 'throws'; value: unknown }
  | { kind: 'rejects'; value: unknown }
  | { kind: 'never' }
  | { kind: 'late' }
  | { kind: 'mutates' };

const behaviour: fc.Arbitrary<Behaviour> = fc.oneof(
  fc.constant({ kind: 'ok' as const }),
  fc.constant({ kind: 'async ok' as const }),
  fc
    .integer({ min: -3, max: 3 })
    .filter((d) => d !== 0)
    .map((delta) => ({ kind: 'length' as const, delta })),
  anyValue
    .filter((v) => !(v instanceof Float64Array) && !Array.isArray(v) && !ArrayBuffer.isView(v))
    .map((value) => ({ kind: 'returns' as const, value })),
  anyValue.map((value) => ({ kind: 'throws' as const, value })),
  anyValue.map((value) => ({ kind: 'rejects' as const, value })),
  fc.constant({ kind: 'never' as const }),
  fc.constant({ kind: 'late' as const }),
  fc.constant({ kind: 'mutates' as const }),
);

const TIMEOUT = 25;

/** Answers held back until the audit has given up on them: released after each case, so "late" never races the timeout. */
const held: (() => void)[] = [];

function act(b: Behaviour, x: Float64Array): unknown {
  switch (b.kind) {
    case 'ok':
      return x.slice();
    case 'async ok':
      return Promise.resolve(x.slice());
    case 'length':
      return new Float64Array(Math.max(0, x.length + b.delta));
    case 'returns':
      return b.value;
    case 'throws':
      throw b.value;
    case 'rejects':
      return Promise.reject(b.value);
    case 'never':
      return new Promise(() => {});
    case 'late':
      return new Promise((r) => held.push(() => r(x.slice())));
    case 'mutates':
      x.fill(7);
      return x.slice();
  }
}

describe('Caller: a candidate whose calls misbehave', () => {
  it("every answer is either ok with the right length or a failure with a clear reason; the audit's arrays are never touched", async () => {
    await fc.assert(
      fc.asyncProperty(
        behaviour,
        behaviour,
        fc.integer({ min: 0, max: 5 }),
        fc.boolean(),
        async (fb, vb, n, training) => {
          const c: DropoutCandidate = {
            name: 'fuzzed',
            convention: 'inverted',
            forward: (x) => act(fb, x) as Float64Array,
            vjp: (_x, _r, _t, _s, dy) => act(vb, dy) as Float64Array,
          };
          const caller = new Caller(c, TIMEOUT);
          const x = Float64Array.from({ length: n }, (_, i) => i - 2.5),
            dy = Float64Array.from({ length: n }, (_, i) => 1 + i);
          const [x0, dy0] = [x.slice(), dy.slice()];
          const args = { rate: 0.5, training, seed: 1 };
          for (const [b, answer] of [
            [fb, await caller.forward(x, args)],
            [vb, await caller.vjp(x, args, dy)],
          ] as const) {
            expect(x).toEqual(x0);
            expect(dy).toEqual(dy0);
            const length = b.kind === 'length' ? Math.max(0, n + b.delta) : n;
            const good =
              b.kind === 'ok' || b.kind === 'async ok' || b.kind === 'mutates' || (b.kind === 'length' && length === n);
            if (good) {
              expect(answer.ok).toBe(true);
              if (answer.ok) expect(answer.y.length).toBe(n);
              continue;
            }
            expect(answer.ok).toBe(false);
            if (answer.ok) continue;
            if (b.kind === 'never' || b.kind === 'late')
              expect(answer.reason).toBe(`did not answer within ${TIMEOUT} ms (the audit's timeoutMs)`);
            else if (b.kind === 'throws' || b.kind === 'rejects') expect(answer.reason).toMatch(/^threw /);
            else if (b.kind === 'length')
              expect(answer.reason).toBe(`returned ${length} values for an input of length ${n}`);
            else
              expect(answer.reason).toMatch(
                /^returned .*, expected a Float64Array or Float32Array of length \d+$|^returned \d+ values for an input of length \d+$/,
              );
            expect(answer.reason).not.toMatch(/undefined \(reading|is not a function/);
          }
          // the late answers arrive now, after the timeout: they change nothing the audit recorded
          const calls = caller.calls;
          held.splice(0).forEach((release) => release());
          await new Promise((r) => setImmediate(r));
          expect(caller.calls).toBe(calls);
          expect(caller.malformed.length).toBe(
            [fb, vb].filter((b) => b.kind === 'returns' || (b.kind === 'length' && Math.max(0, n + b.delta) !== n))
              .length,
          );
          expect(caller.mutations.map((m) => m.detail)).toEqual([
            ...(fb.kind === 'mutates' && n > 0 ? ['x[0] was -2.5, became 7'] : []),
            ...(vb.kind === 'mutates' && n > 0 ? ['dy[0] was 1, became 7'] : []),
          ]);
        },
      ),
      { numRuns: 120 },
    );
  });

  it('an async candidate that never answers any call: every property it reaches fails with the timeout, and the audit ends', async () => {
    const t0 = performance.now();
    const never: DropoutCandidate = {
      name: 'never answers',
      convention: 'inverted',
      forward: () => new Promise<Float64Array>(() => {}),
    };
    const r = await auditDropout(never, { ...QUICK, timeoutMs: 5 });
    expect(r.ok).toBe(false);
    const failed = r.properties.filter((p) => p.verdict === 'fail');
    expect(failed.length).toBeGreaterThan(5);
    for (const p of failed) expect(p.evidence, p.id).toMatch(/did not answer within 5 ms \(the audit's timeoutMs\)/);
    expect(performance.now() - t0).toBeLessThan(30_000);
  });
});

describe('dropcheck: any command line', () => {
  const token = fc.oneof(
    fc.constantFrom(
      'audit',
      'audit',
      '--alpha',
      '--seed',
      '--timeout',
      '--json',
      '--report',
      '-x',
      '--',
      'NaN',
      'Infinity',
      '1e-6',
      '-1',
      '0',
      '2',
      '',
      ' ',
      '1e400',
      '0x10',
    ),
    fc.constantFrom(
      'no/such/module.mjs',
      here('../support/candidates/malformed/bad-convention.ts'),
      here('../support/candidates/malformed/no-default.ts'),
      here('../support/candidates/malformed/throws-on-load.ts'),
    ),
    fc
      .string({ maxLength: 8 })
      .filter((s) => !s.includes('/') && !s.includes('.') && s.trim() !== '' && s.trim() !== '~'),
  );

  it('exits 2 with "dropcheck: …" on stderr and nothing on stdout; never throws', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(token, { maxLength: 6 }), async (args) => {
        let out = '',
          err = '';
        const code = await main(args, { out: (s) => (out += s), err: (s) => (err += s) });
        expect(code).toBe(2);
        expect(out).toBe('');
        expect(err).toMatch(/^dropcheck: \S/);
        expect(err).not.toMatch(/\n\s+at /); // no stack trace
      }),
      { numRuns: 150 },
    );
  });
});
