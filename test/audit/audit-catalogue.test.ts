// Every deliberately broken candidate is flagged, naming the property its bug breaks; together they
// exercise every property of the battery.
import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PROPERTIES, auditDropout } from '../../src/verify/audit/index.ts';
import { MEDIUM } from '../support/audit-options.ts';

const dir = new URL('../support/candidates/broken/', import.meta.url);
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.ts'))
  .sort();

describe('the broken candidates', () => {
  it('cover every property of the battery', async () => {
    const caught = new Set<string>();
    for (const f of files) for (const id of (await import(new URL(f, dir).href)).catches as string[]) caught.add(id);
    expect([...caught].sort()).toEqual(PROPERTIES.map((p) => p.id).sort());
    expect(files.length).toBeGreaterThanOrEqual(20);
  });

  it.each(files)('%s is flagged by the property its bug breaks', async (f) => {
    const mod = await import(new URL(f, dir).href);
    const result = await auditDropout(mod.default, mod.options ?? MEDIUM);
    const failed = result.properties.filter((p) => p.verdict === 'fail').map((p) => p.id);
    expect(result.ok).toBe(false);
    for (const id of mod.catches as string[]) expect(failed, `${f} should fail ${id}`).toContain(id);
    // the evidence of each failing property names a call (or an input) that shows the failure
    for (const p of result.properties.filter((q) => q.verdict === 'fail'))
      expect(p.evidence).toMatch(/(forward|vjp)\(x of length \d+|lag \d+|sign|magnitude|seeds \d+/);
  });
});
