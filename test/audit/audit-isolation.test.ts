// dropcheck audit runs the candidate in a worker thread: a call that never returns is stopped at the
// timeout, the module is loaded again for the next call (its load not counted against that call),
// and writes into the arguments are still seen.
import { describe, expect, it } from 'vitest';
import { runCli as run } from '../support/cli.ts';
import { QUICK_FLAGS } from '../support/audit-options.ts';

const here = (p: string) => new URL(p, import.meta.url).pathname;

/** Audits a hanging candidate at a 1 s timeout: its exit code, the failing properties and their evidence. */
async function auditHang(file: string) {
  const r = await run(
    'audit',
    here(`../support/candidates/hangs/${file}`),
    '--timeout',
    '1000',
    '--json',
    ...QUICK_FLAGS,
  );
  const failed = JSON.parse(r.out).properties.filter((p: { verdict: string }) => p.verdict === 'fail');
  return {
    code: r.code,
    ids: failed.map((p: { id: string }) => p.id),
    evidence: failed.map((p: { evidence: string }) => p.evidence),
  };
}

describe('dropcheck audit, candidate in a worker thread', () => {
  it('a call that never returns is stopped at --timeout: its properties fail, the others are judged, exit 1', async () => {
    const started = performance.now();
    const r = await auditHang('vjp-loops.ts');
    expect(r.code).toBe(1);
    expect(r.ids).toEqual(['vjp-mask', 'vjp-finite-differences']);
    for (const e of r.evidence) expect(e).toMatch(/^vjp\(x of length \d+, .*\): did not answer within 1000 ms/);
    expect(performance.now() - started).toBeLessThan(60_000);
  }, 90_000);

  it('a module that takes longer to load than --timeout: each reload after a stop is waited for, not counted against the next call', async () => {
    const r = await auditHang('slow-load-vjp-loops.ts');
    expect(r.code).toBe(1);
    expect(r.ids).toEqual(['vjp-mask', 'vjp-finite-differences']);
  }, 90_000);

  it('the candidate runs in a worker thread, and writing into its arguments is still seen', async () => {
    const r = await run('audit', here('../support/candidates/broken/mutates-input.ts'), '--json', ...QUICK_FLAGS);
    expect(r.code).toBe(1);
    const json = JSON.parse(r.out);
    expect(
      json.properties.filter((p: { verdict: string }) => p.verdict === 'fail').map((p: { id: string }) => p.id),
    ).toEqual(['input-not-mutated']);
  });
});
