// One figure for the report: each workload's median time per system, relative to dropcheck (log
// scale), with the quartile range as a rule. vega-lite spec, rendered headless to SVG by vega.
import * as vega from 'vega';
import * as vegaLite from 'vega-lite';

export interface Bar {
  workload: string;
  system: string;
  /** median time / dropcheck's median time (> 1: slower than dropcheck) */
  ratio: number;
  lo: number;
  hi: number;
}

export async function plotRatios(bars: Bar[]): Promise<string> {
  // one row per (workload, system); colour tells the workloads apart
  const rows = bars.map((b) => ({ ...b, label: `${b.workload} · ${b.system}`, at: Math.max(b.hi, 1) }));
  const y = { field: 'label', type: 'nominal', title: null, sort: null, axis: { labelLimit: 360 } } as const;
  const spec: vegaLite.TopLevelSpec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: 'Time per workload relative to dropcheck (same run, medians, quartile range)',
    data: { values: rows },
    width: 420,
    layer: [
      // bars grow from 1 (dropcheck's time): right of it slower than dropcheck, left of it faster
      {
        mark: { type: 'bar', height: 12 },
        encoding: {
          y,
          x: {
            field: 'ratio',
            type: 'quantitative',
            scale: { type: 'log' },
            title: 'time ÷ dropcheck time (log scale; 1 = dropcheck)',
          },
          x2: { datum: 1 },
          color: {
            field: 'workload',
            type: 'nominal',
            legend: { orient: 'bottom', title: null, columns: 3, labelLimit: 300 },
          },
        },
      },
      {
        mark: { type: 'rule', color: 'black' },
        encoding: { y, x: { field: 'lo', type: 'quantitative' }, x2: { field: 'hi' } },
      },
      {
        mark: { type: 'text', align: 'left', dx: 4, fontSize: 10 },
        encoding: {
          y,
          x: { field: 'at', type: 'quantitative' },
          text: { field: 'ratio', type: 'quantitative', format: '.3~r' },
        },
      },
    ],
  };
  const view = new vega.View(vega.parse(vegaLite.compile(spec).spec), { renderer: 'none' });
  return view.toSVG();
}
