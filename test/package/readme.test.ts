// The README's worked example must run exactly as written.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { expect, it } from 'vitest';

it('the README example runs as written and its gradient check passes', () => {
  const readme = readFileSync('README.md', 'utf8');
  const section = readme.slice(readme.indexOf('## A worked example'));
  const code = /```ts\n([\s\S]*?)```/.exec(section)?.[1];
  expect(code).toBeDefined();
  mkdirSync('.cache', { recursive: true });
  writeFileSync('.cache/readme-example.ts', code!); // inside the package, so 'dropcheck' resolves to it
  const out = execFileSync(
    process.execPath,
    ['--conditions=development', '--import', 'tsx', '.cache/readme-example.ts'],
    { encoding: 'utf8' },
  );
  expect(out).toMatch(/gradient check passed \(full\)/);
  const m = /loss before ([\d.e-]+) after ([\d.e-]+)/.exec(out);
  expect(m).not.toBeNull();
  expect(Number(m![2])).toBeLessThan(Number(m![1]));
}, 60_000);

it('the README stays a front door (≤ 12,000 characters) and every relative link in it and in docs/ resolves to a file', async () => {
  const { existsSync, readdirSync } = await import('node:fs');
  const { dirname, join } = await import('node:path');
  expect(readFileSync('README.md', 'utf8').length).toBeLessThanOrEqual(12_000);
  const pages = [
    'README.md',
    ...readdirSync('docs')
      .filter((f) => f.endsWith('.md'))
      .map((f) => join('docs', f)),
  ];
  const broken: string[] = [];
  for (const page of pages) {
    for (const [, target] of readFileSync(page, 'utf8').matchAll(/\]\(([^)#\s]+)(?:#[^)]*)?\)/g)) {
      if (/^[a-z]+:/.test(target)) continue; // http(s), mailto
      if (!existsSync(join(dirname(page), target))) broken.push(`${page} → ${target}`);
    }
  }
  expect(broken).toEqual([]);
});
