// The broken candidates, together, exercise every property of the battery. Each one is audited, and
// checked to fail the properties its `catches` names, in audit-small.test.ts (at the effect size its
// bug needs); reports/calibration.md audits them at the defaults on many seeds.
import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PROPERTIES } from '../../src/verify/audit/index.ts';

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
});
