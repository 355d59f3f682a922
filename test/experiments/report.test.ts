// The properties report: verdicts per claim, counterexamples, contradicted parts, plots.
import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  type PropertiesRun,
  renderProperties,
  summarize,
  verdictText,
} from '../../experiments/report/report-properties.ts';
import { histogramSvg } from '../../experiments/report/svg.ts';

const base = { seed: 7, file: 'x.test.ts', cases: 10, maxError: 1e-12 };
const run: PropertiesRun = {
  seed: 7,
  deep: false,
  files: ['x.test.ts'],
  suiteFalseFailureBound: 1e-6,
  records: [
    { ...base, claims: ['E-LIN'], property: 'E-LIN: exact', verdict: 'holds' },
    {
      ...base,
      claims: ['E-SLIP'],
      property: 'E-SLIP: a | b',
      verdict: 'refuted-as-expected',
      counterexample: { keep: 0.1 },
      path: '0:1',
      details: { readable: 'W = [[1]]' },
    },
    {
      ...base,
      claims: ['M-DEEP'],
      property: 'M-DEEP: estimate',
      verdict: 'contradicted',
      contradicts: 'ratio |x| 3',
      details: { distribution: { name: 'gaps', values: [1e-3, 1e-2, 2e-2], xlabel: 'gap' } },
    },
    { ...base, claims: ['G-FD'], property: 'G-FD: broken', verdict: 'failed', counterexample: [1] },
  ],
};

describe('renderProperties', () => {
  it('summarises each claim with the worst verdict of its records', () => {
    const s = new Map(summarize(run).map((c) => [c.id, c]));
    expect(s.get('E-LIN')!.verdict).toBe('holds');
    expect(s.get('E-SLIP')!.counterexample).toBe(true);
    expect(verdictText(s.get('E-SLIP')!)).toBe('holds (with the counterexample it predicts, below)');
    expect(verdictText(s.get('M-DEEP')!)).toMatch(/^\*\*holds in part\*\*; contradicted: ratio \|x\| 3$/);
    expect(verdictText(s.get('G-FD')!)).toBe('**FAILED**');
    expect(s.get('E-RIDGE')!.verdict).toBe('not checked');
  });

  it('writes the page, escapes table cells, shows counterexamples and plots distributions', () => {
    const dir = mkdtempSync(join(tmpdir(), 'dropcheck-report-'));
    renderProperties(run, dir);
    const md = readFileSync(join(dir, 'properties.md'), 'utf8');
    expect(md).toContain('| E-SLIP: a \\| b |');
    expect(md).toContain('contradicted: ratio \\|x\\| 3');
    expect(md).toContain('W = [[1]]');
    expect(md).toContain('path: "0:1"');
    expect(md).toContain('![gaps](m-deep-gaps.svg)');
    expect(existsSync(join(dir, 'm-deep-gaps.svg'))).toBe(true);
  });

  it('histogramSvg draws one bar per bin and labels whole powers of ten on a log axis', () => {
    const svg = histogramSvg([1e-4, 1e-3, 1e-3, 1e-2], { title: 't', xlabel: 'x', bins: 4, log10: true });
    expect(svg.match(/<rect x=/g)).toHaveLength(4);
    expect(svg).toContain('>1e-3<');
    expect(svg).toContain('>2<'); // the tallest bar's count
  });
});
