// What each entry loads, read from the import statements of the sources: the engine stays free of the
// verification code, and the root entry stays free of mathjs (1.5 s of CPU to load, against 0.3 s
// for the rest of the package).
import { readFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { describe, expect, it } from 'vitest';

/** Every file reached from `entry` by relative imports, and every package it names. */
function importGraph(entry: string): { files: string[]; packages: string[] } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: string) => {
    if (files.has(file)) return;
    files.add(file);
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(
      /^\s*(?:import|export)\s[^'"]*?from\s+'([^']+)'|^\s*import\s+'([^']+)'|import\('([^']+)'\)/gm,
    )) {
      const spec = m[1] ?? m[2] ?? m[3]!;
      if (/^import\s+type\s/.test(m[0].trim()) || /^export\s+type\s/.test(m[0].trim())) continue;
      if (spec.startsWith('.')) visit(normalize(join(dirname(file), spec)));
      else if (!spec.startsWith('node:'))
        packages.add(spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!);
    }
  };
  visit(entry);
  return { files: [...files].sort(), packages: [...packages].sort() };
}

describe('import graph', () => {
  it('the root entry does not load mathjs; dropcheck/rational does', () => {
    expect(importGraph('src/index.ts').packages).not.toContain('mathjs');
    expect(importGraph('src/verify/rational.ts').packages).toContain('mathjs');
  });

  it('the engine imports nothing from the verification code, the networks or the experiments', () => {
    const { files } = importGraph('src/engine/index.ts');
    expect(files.length).toBeGreaterThan(5);
    expect(files.filter((f) => !f.startsWith('src/engine/'))).toEqual([]);
  });
});
